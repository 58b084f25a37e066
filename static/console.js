// The console's small enhancements; every page works without this script.
// A button or link with data-confirm asks before it acts.
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

//! `/insights`: the figures of `crate::insights` (the use case behind `GET /v2/insights/bookings`)
//! for a period and a scope chosen in a GET form, so a link is shareable. Each chart is SVG
//! drawn here on the server (no script), with a table of the same numbers and a CSV download
//! (`?format=csv&chart=…`).

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::clock::Clock;
use super::csv::csv_line;
use super::{Frame, Nav, Section, call, pick};
use crate::http::AppState;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, html};
use crate::insights::{self, Outcome, Report, Scope};
use crate::sessions::SignedIn;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/insights", web::get().to(page));
}

#[derive(Debug, Default, Deserialize)]
struct Query {
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    /// `mine`, `team:ID` or `event:ID`.
    #[serde(default)]
    scope: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    chart: String,
}

fn scope_of(q: &Query, caller: i64) -> Result<Scope, crate::service::ServiceError> {
    let host = Some(q.host.as_str()).filter(|h| !h.is_empty());
    let (team, event) = match q.scope.split_once(':') {
        Some(("team", id)) => (Some(id), None),
        Some(("event", id)) => (None, Some(id)),
        _ => (None, None),
    };
    insights::scope(team, event, host, caller)
}

fn outcome_label(lang: Lang, o: Outcome) -> &'static str {
    pick(
        lang,
        match o {
            Outcome::Accepted => ["Accepted", "Angenommen", "Acceptées", "Aceptadas"],
            Outcome::Pending => [
                "Unconfirmed",
                "Unbestätigt",
                "Non confirmées",
                "Sin confirmar",
            ],
            Outcome::NoShow => ["No-show", "Nicht erschienen", "Absences", "Ausencias"],
            Outcome::Cancelled => ["Cancelled", "Abgesagt", "Annulées", "Canceladas"],
            Outcome::Rescheduled => ["Rescheduled", "Verschoben", "Reportées", "Reprogramadas"],
            Outcome::Rejected => ["Declined", "Abgelehnt", "Refusées", "Rechazadas"],
        },
    )
}

struct Words {
    title: &'static str,
    filters: &'static str,
    start: &'static str,
    end: &'static str,
    scope: &'static str,
    mine: &'static str,
    host: &'static str,
    everyone: &'static str,
    apply: &'static str,
    total: &'static str,
    lead: &'static str,
    minutes: &'static str,
    over_time: &'static str,
    date: &'static str,
    busiest: &'static str,
    hour: &'static str,
    bookings: &'static str,
    load: &'static str,
    share: &'static str,
    weight: &'static str,
    weight_share: &'static str,
    conversion: &'static str,
    event_type: &'static str,
    views: &'static str,
    rate: &'static str,
    csv: &'static str,
    none: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        title: pick(
            lang,
            ["Insights", "Einblicke", "Statistiques", "Estadísticas"],
        ),
        filters: pick(lang, ["Filters", "Filter", "Filtres", "Filtros"]),
        start: pick(lang, ["From", "Von", "Du", "Desde"]),
        end: pick(lang, ["To", "Bis", "Au", "Hasta"]),
        scope: pick(
            lang,
            [
                "Whose bookings",
                "Wessen Buchungen",
                "Réservations de",
                "Reservas de",
            ],
        ),
        mine: pick(lang, ["Mine", "Meine", "Les miennes", "Mías"]),
        host: pick(lang, ["Host", "Gastgeber", "Hôte", "Anfitrión"]),
        everyone: pick(lang, ["Everyone", "Alle", "Tous", "Todos"]),
        apply: pick(lang, ["Show", "Anzeigen", "Afficher", "Mostrar"]),
        total: pick(lang, ["Bookings", "Buchungen", "Réservations", "Reservas"]),
        lead: pick(
            lang,
            [
                "Average lead time",
                "Mittlere Vorlaufzeit",
                "Délai moyen",
                "Antelación media",
            ],
        ),
        minutes: pick(lang, ["minutes", "Minuten", "minutes", "minutos"]),
        over_time: pick(
            lang,
            [
                "Bookings over time",
                "Buchungen im Zeitverlauf",
                "Réservations dans le temps",
                "Reservas en el tiempo",
            ],
        ),
        date: pick(lang, ["From date", "Ab Datum", "À partir du", "Desde el"]),
        busiest: pick(
            lang,
            [
                "Busiest hours",
                "Stoßzeiten",
                "Heures chargées",
                "Horas de más actividad",
            ],
        ),
        hour: pick(lang, ["Hour", "Stunde", "Heure", "Hora"]),
        bookings: pick(lang, ["Bookings", "Buchungen", "Réservations", "Reservas"]),
        load: pick(
            lang,
            [
                "Load against weight",
                "Auslastung und Gewichtung",
                "Charge et poids",
                "Carga y peso",
            ],
        ),
        share: pick(
            lang,
            [
                "Share of bookings",
                "Anteil der Buchungen",
                "Part des réservations",
                "Parte de las reservas",
            ],
        ),
        weight: pick(lang, ["Weight", "Gewichtung", "Poids", "Peso"]),
        weight_share: pick(
            lang,
            [
                "Share of weight",
                "Anteil der Gewichtung",
                "Part du poids",
                "Parte del peso",
            ],
        ),
        conversion: pick(
            lang,
            [
                "Page views and bookings",
                "Seitenaufrufe und Buchungen",
                "Vues et réservations",
                "Visitas y reservas",
            ],
        ),
        event_type: pick(
            lang,
            [
                "Event type",
                "Ereignistyp",
                "Type d’événement",
                "Tipo de evento",
            ],
        ),
        views: pick(lang, ["Page views", "Seitenaufrufe", "Vues", "Visitas"]),
        rate: pick(
            lang,
            ["Conversion", "Konversion", "Conversion", "Conversión"],
        ),
        csv: pick(
            lang,
            [
                "Download CSV",
                "CSV herunterladen",
                "Télécharger le CSV",
                "Descargar CSV",
            ],
        ),
        none: pick(
            lang,
            [
                "Nothing to show.",
                "Nichts anzuzeigen.",
                "Rien à afficher.",
                "Nada que mostrar.",
            ],
        ),
    }
}

/// A chart's numbers: its column names and rows, for the table and the CSV alike.
struct Table {
    key: &'static str,
    title: &'static str,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
    /// The value each row's bar shows, and the largest.
    bars: Vec<(String, f64)>,
    max: f64,
    csv: String,
}

/// One bar of an SVG chart, laid out here so the template only places it.
struct Bar {
    x: u32,
    y: u32,
    width: u32,
    height: u32,
    label: String,
    value: String,
}

struct Chart {
    table: Table,
    bars: Vec<Bar>,
    /// Every nth bar's label is printed under the axis.
    label_every: usize,
}

const CHART_WIDTH: u32 = 640;
const CHART_HEIGHT: u32 = 160;

impl Chart {
    fn of(table: Table) -> Chart {
        let n = table.bars.len().max(1) as u32;
        let slot = (CHART_WIDTH / n).max(2);
        let bars = table
            .bars
            .iter()
            .enumerate()
            .map(|(i, (label, v))| {
                let height = if table.max > 0.0 {
                    ((v / table.max) * f64::from(CHART_HEIGHT)).round() as u32
                } else {
                    0
                };
                Bar {
                    x: i as u32 * slot + slot / 8,
                    y: CHART_HEIGHT - height,
                    width: (slot * 3 / 4).max(1),
                    height,
                    label: label.clone(),
                    value: fmt_number(*v),
                }
            })
            .collect();
        let label_every = (table.bars.len() / 12).max(1);
        Chart {
            table,
            bars,
            label_every,
        }
    }
}

fn fmt_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |x| format!("{:.1}%", x * 100.0))
}

fn with_csv(mut t: Table) -> Table {
    let mut csv = csv_line(&t.head);
    for row in &t.rows {
        csv.push_str(&csv_line(row));
    }
    t.max = t.bars.iter().map(|b| b.1).fold(0.0, f64::max);
    t.csv = csv;
    t
}

fn table(key: &'static str, title: &'static str, head: Vec<String>) -> Table {
    Table {
        key,
        title,
        head,
        rows: Vec::new(),
        bars: Vec::new(),
        max: 0.0,
        csv: String::new(),
    }
}

fn over_time(r: &Report, lang: Lang, w: &Words) -> Table {
    let mut head = vec![w.date.to_owned(), w.total.to_owned()];
    head.extend(
        Outcome::ALL
            .iter()
            .map(|o| outcome_label(lang, *o).to_owned()),
    );
    let mut t = table("series", w.over_time, head);
    for p in &r.bookings.series {
        let mut row = vec![p.start.to_string(), p.counts.total().to_string()];
        row.extend(Outcome::ALL.iter().map(|o| p.counts.get(*o).to_string()));
        t.rows.push(row);
        t.bars.push((p.start.to_string(), p.counts.total() as f64));
    }
    with_csv(t)
}

fn busiest(r: &Report, w: &Words) -> Table {
    let head = vec![w.hour.to_owned(), w.bookings.to_owned()];
    let mut t = table("hours", w.busiest, head);
    for (hour, n) in r.bookings.busiest_hours.iter().enumerate() {
        let label = format!("{hour:02}:00");
        t.rows.push(vec![label.clone(), n.to_string()]);
        t.bars.push((label, *n as f64));
    }
    with_csv(t)
}

fn load(r: &Report, w: &Words) -> Table {
    let mut head = vec![w.host.to_owned(), w.bookings.to_owned(), w.share.to_owned()];
    if r.weighted {
        head.extend([w.weight.to_owned(), w.weight_share.to_owned()]);
    }
    let mut t = table("hosts", w.load, head);
    for h in &r.hosts {
        let mut row = vec![
            h.name.clone(),
            h.bookings.to_string(),
            percent(Some(h.share)),
        ];
        if r.weighted {
            row.push(h.weight.map_or_else(|| "–".to_owned(), |x| x.to_string()));
            row.push(percent(h.weight_share));
        }
        t.rows.push(row);
        t.bars.push((h.name.clone(), h.bookings as f64));
    }
    with_csv(t)
}

fn conversion(r: &Report, w: &Words) -> Table {
    let head = [w.event_type, w.views, w.bookings, w.rate]
        .map(str::to_owned)
        .to_vec();
    let mut t = table("conversion", w.conversion, head);
    for c in &r.conversion {
        t.rows.push(vec![
            c.title.clone(),
            c.views.to_string(),
            c.bookings.to_string(),
            percent(c.rate),
        ]);
        t.bars.push((c.title.clone(), c.views as f64));
    }
    with_csv(t)
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "console/insights.html")]
struct InsightsPage {
    chrome: Chrome,
    nav: Nav,
    words: Words,
    start: String,
    end: String,
    zone: &'static str,
    scopes: Vec<Choice>,
    hosts: Vec<Choice>,
    total: i64,
    lead: Option<i64>,
    outcomes: Vec<(&'static str, i64)>,
    charts: Vec<Chart>,
    csv_base: String,
    width: u32,
    height: u32,
}

async fn page(req: HttpRequest, state: web::Data<AppState>, who: SignedIn) -> PageResult {
    let frame = Frame::new(&req, &who, Section::Insights);
    let lang = frame.lang;
    let q: Query = serde_html_form::from_str(req.query_string())
        .map_err(|e| PageError::bad_request(lang, &format!("The address is not valid: {e}")))?;
    let clock = Clock::of(&who.user, lang);
    let bad = |e: crate::service::ServiceError| PageError::bad_request(lang, &e.to_string());
    let period = insights::period_or_default(
        Some(q.start.as_str()).filter(|s| !s.is_empty()),
        Some(q.end.as_str()).filter(|s| !s.is_empty()),
        clock.tz,
        Utc::now(),
    )
    .map_err(bad)?;
    let scope = scope_of(&q, who.user.id).map_err(bad)?;
    let request = insights::Request { scope, period };
    let (db, me) = (state.db.clone(), who.user.id);
    let report = call(
        lang,
        async move { insights::report(&db, me, request).await },
    )
    .await?;
    let w = words(lang);
    let mut tables = vec![over_time(&report, lang, &w), busiest(&report, &w)];
    if !report.hosts.is_empty() {
        tables.push(load(&report, &w));
    }
    tables.push(conversion(&report, &w));
    if q.format == "csv" {
        return csv(lang, &q.chart, tables);
    }
    let (db, me) = (state.db.clone(), who.user.id);
    let choices = call(lang, async move { scope_choices(&db, me).await }).await?;
    let Frame { chrome, nav, .. } = frame;
    html(InsightsPage {
        scopes: scope_list(&w, &q.scope, choices),
        hosts: host_list(&report, &q.host),
        start: period.first.to_string(),
        end: period.last.to_string(),
        zone: clock.tz.name(),
        total: report.bookings.totals.total(),
        lead: report.bookings.average_lead_minutes,
        outcomes: Outcome::ALL
            .iter()
            .map(|o| (outcome_label(lang, *o), report.bookings.totals.get(*o)))
            .collect(),
        charts: tables.into_iter().map(Chart::of).collect(),
        csv_base: csv_base(&q, &period),
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        chrome,
        nav,
        words: w,
    })
}

/// The page's own address with the period spelled out, for the CSV links.
fn csv_base(q: &Query, period: &insights::Period) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("start", &period.first.to_string());
    query.append_pair("end", &period.last.to_string());
    if !q.scope.is_empty() {
        query.append_pair("scope", &q.scope);
    }
    if !q.host.is_empty() {
        query.append_pair("host", &q.host);
    }
    query.append_pair("format", "csv");
    format!("/insights?{}", query.finish())
}

fn csv(lang: Lang, chart: &str, tables: Vec<Table>) -> PageResult {
    let table = tables
        .into_iter()
        .find(|t| t.key == chart)
        .ok_or_else(|| PageError::bad_request(lang, &format!("chart: `{chart}` is not a chart")))?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"insights-{}.csv\"", table.key),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(table.csv))
}

/// (value, label) of every team and event type the user can see figures of.
async fn scope_choices(
    db: &crate::storage::Db,
    me: i64,
) -> Result<Vec<(String, String)>, crate::service::ServiceError> {
    let choices = insights::choices(db, me).await?;
    let mut out = Vec::new();
    for (id, title) in choices.personal {
        out.push((format!("event:{id}"), title));
    }
    for (team, name, events) in choices.teams {
        out.push((format!("team:{team}"), name.clone()));
        for (id, title) in events {
            out.push((format!("event:{id}"), format!("{name} · {title}")));
        }
    }
    Ok(out)
}

fn scope_list(w: &Words, current: &str, choices: Vec<(String, String)>) -> Vec<Choice> {
    let mine = (String::new(), w.mine.to_owned());
    std::iter::once(mine)
        .chain(choices)
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

fn host_list(r: &Report, current: &str) -> Vec<Choice> {
    r.hosts
        .iter()
        .map(|h| Choice {
            value: h.user_id.to_string(),
            label: h.name.clone(),
            selected: h.user_id.to_string() == current,
        })
        .collect()
}

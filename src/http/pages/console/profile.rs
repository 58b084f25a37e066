//! `/settings/my-account/profile`: the signed-in user's profile (name, username, email, time
//! zone, week start, clock, language, brand colours, bio), changed through
//! `accounts::update_profile`, the use case behind `PATCH /v2/me`.

use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Weekday;
use serde::Deserialize;

use super::session::ConsoleForm;
use super::settings::{Input, SavedQuery, Tabs, field_error, own_tabs, with_status};
use super::{Frame, Nav, Section, pick};
use crate::accounts::{self, ProfileChanges};
use crate::domain::text::{TextKind, check};
use crate::http::AppState;
use crate::http::pages::console::detach;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageResult, html};
use crate::service::ServiceError;
use crate::sessions::SignedIn;
use crate::storage::users::User;

const PATH: &str = "/settings/my-account/profile";

/// The form's field names: `PATCH /v2/me`'s, so a use case's "field: message" finds its input.
const FIELDS: [&str; 10] = [
    "name",
    "username",
    "email",
    "timeZone",
    "weekStart",
    "timeFormat",
    "locale",
    "brandColor",
    "darkBrandColor",
    "bio",
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/settings", web::get().to(to_profile)).service(
        web::resource(PATH)
            .route(web::get().to(page))
            .route(web::post().to(save)),
    );
}

async fn to_profile(_: SignedIn) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, PATH))
        .finish()
}

struct Words {
    title: &'static str,
    lead: &'static str,
    name: &'static str,
    username: &'static str,
    username_hint: &'static str,
    email: &'static str,
    time_zone: &'static str,
    week_start: &'static str,
    time_format: &'static str,
    twelve: &'static str,
    twenty_four: &'static str,
    language: &'static str,
    brand: &'static str,
    dark_brand: &'static str,
    bio: &'static str,
    save: &'static str,
    saved: &'static str,
    failed: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        title: pick(lang, ["Profile", "Profil", "Profil", "Perfil"]),
        lead: pick(
            lang,
            [
                "How you appear on your booking pages, and how Kairos shows you times.",
                "Wie du auf deinen Buchungsseiten erscheinst und wie Kairos dir Zeiten zeigt.",
                "Votre présentation sur vos pages de réservation et l’affichage des heures.",
                "Cómo apareces en tus páginas de reserva y cómo Kairos te muestra las horas.",
            ],
        ),
        name: pick(
            lang,
            [
                "Full name",
                "Vollständiger Name",
                "Nom complet",
                "Nombre completo",
            ],
        ),
        username: pick(
            lang,
            [
                "Username",
                "Benutzername",
                "Nom d’utilisateur",
                "Nombre de usuario",
            ],
        ),
        username_hint: pick(
            lang,
            [
                "Your booking page’s address: lower-case letters, digits, - _ and .",
                "Die Adresse deiner Buchungsseite: Kleinbuchstaben, Ziffern, - _ und .",
                "L’adresse de votre page de réservation : minuscules, chiffres, - _ et .",
                "La dirección de tu página de reservas: minúsculas, dígitos, - _ y .",
            ],
        ),
        email: pick(lang, ["Email", "E-Mail", "E-mail", "Correo electrónico"]),
        time_zone: pick(
            lang,
            ["Time zone", "Zeitzone", "Fuseau horaire", "Zona horaria"],
        ),
        week_start: pick(
            lang,
            [
                "Week starts on",
                "Woche beginnt am",
                "La semaine commence le",
                "La semana empieza el",
            ],
        ),
        time_format: pick(
            lang,
            [
                "Clock",
                "Uhrzeitformat",
                "Format de l’heure",
                "Formato de hora",
            ],
        ),
        twelve: pick(
            lang,
            [
                "12-hour (1:30pm)",
                "12 Stunden (1:30pm)",
                "12 heures (1:30pm)",
                "12 horas (1:30pm)",
            ],
        ),
        twenty_four: pick(
            lang,
            [
                "24-hour (13:30)",
                "24 Stunden (13:30)",
                "24 heures (13:30)",
                "24 horas (13:30)",
            ],
        ),
        language: pick(lang, ["Language", "Sprache", "Langue", "Idioma"]),
        brand: pick(
            lang,
            [
                "Brand colour",
                "Markenfarbe",
                "Couleur de marque",
                "Color de marca",
            ],
        ),
        dark_brand: pick(
            lang,
            [
                "Brand colour (dark theme)",
                "Markenfarbe (dunkles Design)",
                "Couleur de marque (thème sombre)",
                "Color de marca (tema oscuro)",
            ],
        ),
        bio: pick(
            lang,
            ["About you", "Über dich", "À propos de vous", "Sobre ti"],
        ),
        save: pick(lang, ["Save", "Speichern", "Enregistrer", "Guardar"]),
        saved: pick(
            lang,
            [
                "Your profile is saved.",
                "Dein Profil ist gespeichert.",
                "Votre profil est enregistré.",
                "Tu perfil se ha guardado.",
            ],
        ),
        failed: pick(
            lang,
            [
                "The profile was not saved; see the fields marked below.",
                "Das Profil wurde nicht gespeichert; siehe die markierten Felder.",
                "Le profil n’a pas été enregistré ; voir les champs signalés.",
                "El perfil no se guardó; revisa los campos marcados.",
            ],
        ),
    }
}

/// What the form shows: one [`Input`] per field.
struct Inputs {
    name: Input,
    username: Input,
    email: Input,
    time_zone: Input,
    week_start: Input,
    time_format: Input,
    locale: Input,
    brand_color: Input,
    dark_brand_color: Input,
    bio: Input,
}

impl Inputs {
    fn of(user: &User) -> Self {
        Self {
            name: Input::new(&user.name),
            username: Input::new(&user.username),
            email: Input::new(&user.email),
            time_zone: Input::new(&user.time_zone),
            week_start: Input::new(&user.week_start),
            time_format: Input::new(user.time_format.to_string()),
            locale: Input::new(&user.locale),
            brand_color: Input::new(&user.brand_color),
            dark_brand_color: Input::new(&user.dark_brand_color),
            bio: Input::new(&user.bio),
        }
    }

    fn typed(form: &ProfileForm) -> Self {
        Self {
            name: Input::new(&form.name),
            username: Input::new(&form.username),
            email: Input::new(&form.email),
            time_zone: Input::new(&form.time_zone),
            week_start: Input::new(&form.week_start),
            time_format: Input::new(&form.time_format),
            locale: Input::new(&form.locale),
            brand_color: Input::new(&form.brand_color),
            dark_brand_color: Input::new(&form.dark_brand_color),
            bio: Input::new(&form.bio),
        }
    }

    fn field(&mut self, name: &str) -> Option<&mut Input> {
        Some(match name {
            "name" => &mut self.name,
            "username" => &mut self.username,
            "email" => &mut self.email,
            "timeZone" => &mut self.time_zone,
            "weekStart" => &mut self.week_start,
            "timeFormat" => &mut self.time_format,
            "locale" => &mut self.locale,
            "brandColor" => &mut self.brand_color,
            "darkBrandColor" => &mut self.dark_brand_color,
            "bio" => &mut self.bio,
            _ => return None,
        })
    }
}

/// A colour input needs `#rrggbb`; a stored `#abc` is the same colour written longer.
fn six_digit(colour: &str) -> String {
    match colour.strip_prefix('#') {
        Some(h) if h.len() == 3 => h.chars().fold("#".to_owned(), |mut s, c| {
            s.push(c);
            s.push(c);
            s
        }),
        _ => colour.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "console/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    nav: Nav,
    tabs: Tabs,
    words: Words,
    f: Inputs,
    notice: Option<&'static str>,
    alert: Option<String>,
    zones: &'static [chrono_tz::Tz],
    days: Vec<(&'static str, String)>,
    languages: Vec<(String, String)>,
}

impl ProfilePage {
    fn new(req: &HttpRequest, who: &SignedIn, mut f: Inputs) -> Self {
        let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Settings);
        let days = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .map(|d| (crate::domain::weekday_name(d), lang.weekday(d)))
        .collect();
        let mut languages: Vec<(String, String)> = [
            ("en", "English"),
            ("de", "Deutsch"),
            ("fr", "Français"),
            ("es", "Español"),
        ]
        .iter()
        .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
        .collect();
        // A language set through the API stays selectable, so saving keeps it.
        if !languages.iter().any(|(c, _)| *c == f.locale.value) {
            languages.push((f.locale.value.clone(), f.locale.value.clone()));
        }
        f.brand_color.value = six_digit(&f.brand_color.value);
        f.dark_brand_color.value = six_digit(&f.dark_brand_color.value);
        Self {
            chrome,
            nav,
            tabs: own_tabs(lang, PATH),
            words: words(lang),
            f,
            notice: None,
            alert: None,
            zones: &chrono_tz::TZ_VARIANTS,
            days,
            languages,
        }
    }
}

async fn page(req: HttpRequest, who: SignedIn, query: web::Query<SavedQuery>) -> PageResult {
    let mut page = ProfilePage::new(&req, &who, Inputs::of(&who.user));
    if query.saved.is_some() {
        page.notice = Some(page.words.saved);
    }
    html(page)
}

/// The form as posted; every field is sent (a browser sends them all).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    week_start: String,
    #[serde(default)]
    time_format: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    brand_color: String,
    #[serde(default)]
    dark_brand_color: String,
    #[serde(default)]
    bio: String,
}

/// The form as the use case's changes, after the text rule every request parser applies.
fn changes(form: &ProfileForm) -> Result<ProfileChanges, ServiceError> {
    let texts = [
        ("name", &form.name),
        ("username", &form.username),
        ("email", &form.email),
        ("timeZone", &form.time_zone),
        ("weekStart", &form.week_start),
        ("locale", &form.locale),
        ("brandColor", &form.brand_color),
        ("darkBrandColor", &form.dark_brand_color),
    ];
    for (field, value) in texts {
        check(TextKind::Line, value).map_err(|m| ServiceError::Invalid(format!("{field}: {m}")))?;
    }
    check(TextKind::Lines, &form.bio).map_err(|m| ServiceError::Invalid(format!("bio: {m}")))?;
    let time_format = form
        .time_format
        .parse()
        .map_err(|_| ServiceError::Invalid("timeFormat: must be 12 or 24".into()))?;
    Ok(ProfileChanges {
        name: Some(form.name.clone()),
        email: Some(form.email.clone()),
        username: Some(form.username.clone()),
        time_zone: Some(form.time_zone.clone()),
        week_start: Some(form.week_start.clone()),
        time_format: Some(time_format),
        locale: Some(form.locale.trim().to_owned()),
        bio: Some(form.bio.replace("\r\n", "\n")),
        brand_color: Some(form.brand_color.trim().to_owned()),
        dark_brand_color: Some(form.dark_brand_color.trim().to_owned()),
    })
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<ProfileForm>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let lang = super::session::lang_of(&req, Some(&who));
    let outcome = match changes(&form) {
        Ok(changes) => {
            let (db, id) = (state.db.clone(), who.user.id);
            detach(async move { accounts::update_profile(&db, id, changes).await }).await?
        }
        Err(e) => Err(e),
    };
    let (status, message) = match outcome {
        Ok(_) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, format!("{PATH}?saved=1")))
                .finish());
        }
        Err(error) => super::refusal_status(lang, error)?,
    };
    let mut inputs = Inputs::typed(&form);
    let (field, message) = field_error(&message, &FIELDS);
    let alert = match field.as_deref().and_then(|f| inputs.field(f)) {
        Some(input) => {
            input.error = Some(message);
            None
        }
        None => Some(message),
    };
    let mut page = ProfilePage::new(&req, &who, inputs);
    page.alert = Some(alert.unwrap_or_else(|| page.words.failed.to_owned()));
    with_status(page, status)
}

impl ProfilePage {
    /// Whether `zone` is the selected time zone (askama compares `&str`s here).
    fn zone_selected(&self, zone: &chrono_tz::Tz) -> bool {
        zone.name() == self.f.time_zone.value
    }
}

//! The edit page's list builders: booking questions (a field builder: add, edit, move,
//! remove) and locations (add, move, remove). Each change is the whole new list, sent as a
//! partial update (`bookingFields` or `locations`) through the API's use case.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::edit::{Change, Context, Kept};
use super::fields::{Choice, FormSection, Group, Input, Item, Items, partial, ticked};
use crate::domain::Slug;
use crate::event_types::{
    BookingField, CHOICE_TYPES, EventType, EventTypeInput, FieldKind, Location, LocationKind,
    SYSTEM_FIELDS,
};
use crate::http::pages::console::pick;
use crate::http::pages::i18n::Lang;

/// A move or a removal in a list, by the item's key.
#[derive(Debug, Deserialize)]
pub struct ListOp {
    #[serde(default)]
    op: String,
    #[serde(default)]
    key: String,
}

/// `list` with the item at `at` moved up, down or removed.
fn apply(mut list: Vec<Value>, at: usize, op: &str) -> Result<Vec<Value>, String> {
    match op {
        "remove" => {
            list.remove(at);
        }
        "up" if at > 0 => list.swap(at, at - 1),
        "down" if at + 1 < list.len() => list.swap(at, at + 1),
        "up" | "down" => {}
        other => return Err(format!("op: `{other}` is not up, down or remove")),
    }
    Ok(list)
}

fn rows<T>(list: &[T], row: impl Fn(usize, &T) -> Item) -> Vec<Item> {
    let n = list.len();
    list.iter()
        .enumerate()
        .map(|(i, item)| Item {
            first: i == 0,
            last: i + 1 == n,
            ..row(i, item)
        })
        .collect()
}

// ---- Booking questions ----

fn fields_json(event: &EventType) -> Vec<Value> {
    event
        .settings
        .booking_fields
        .iter()
        .map(|f| json!(f))
        .collect()
}

fn questions(list: Vec<Value>) -> Map<String, Value> {
    let input = EventTypeInput {
        booking_fields: Some(list),
        ..Default::default()
    };
    partial(&input, &["bookingFields"])
}

/// The question form: a new question, or (with `original`) the one being edited.
#[derive(Debug, Default, Deserialize)]
pub struct QuestionForm {
    #[serde(default)]
    original: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    placeholder: String,
    /// One option per line (select, radio, multiselect, checkbox).
    #[serde(default)]
    options: String,
    #[serde(default)]
    required: Option<String>,
    #[serde(default)]
    hidden: Option<String>,
}

impl QuestionForm {
    /// The form for the question `editing`, else an empty one.
    pub fn of(event: &EventType, editing: Option<&str>) -> Self {
        let found = editing.and_then(|slug| {
            event
                .settings
                .booking_fields
                .iter()
                .find(|f| f.slug == slug)
        });
        match found {
            Some(f) => Self {
                original: f.slug.clone(),
                kind: f.kind.as_str().to_owned(),
                label: f.label.clone(),
                name: f.slug.clone(),
                placeholder: f.placeholder.clone().unwrap_or_default(),
                options: f.choices().join("\n"),
                required: f.required.then(|| "on".to_owned()),
                hidden: f.is_hidden().then(|| "on".to_owned()),
            },
            None => Self {
                kind: "text".to_owned(),
                required: Some("on".to_owned()),
                ..Self::default()
            },
        }
    }

    fn field(&self) -> Result<Value, String> {
        let slug = match self.name.trim() {
            "" => Slug::suggest(&self.label),
            typed => typed.to_owned(),
        };
        if SYSTEM_FIELDS.contains(&slug.as_str()) {
            return Err(format!(
                "bookingFields.slug: `{slug}` is a question every booking form already asks"
            ));
        }
        let mut field =
            json!({"type": self.kind, "slug": slug, "required": ticked(&self.required)});
        let label = self.label.trim();
        if !label.is_empty() {
            field["label"] = json!(label);
        }
        if !self.placeholder.trim().is_empty() {
            field["placeholder"] = json!(self.placeholder.trim());
        }
        if ticked(&self.hidden) {
            field["hidden"] = json!(true);
        }
        let options: Vec<&str> = self
            .options
            .lines()
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .collect();
        if !options.is_empty() {
            field["options"] = json!(options);
        }
        Ok(field)
    }

    pub fn section(&self, cx: &Context) -> FormSection {
        let lang = cx.lang;
        let id = cx.event.record.id;
        let kinds = FieldKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), kind_label(lang, *k), &self.kind))
            .collect();
        let inputs = vec![
            Input::select("type", pick(lang, ["Input type", "Eingabetyp", "Type de saisie", "Tipo de entrada"]), kinds)
                .errors_of("bookingFields.type"),
            Input::text("label", pick(lang, ["Label", "Beschriftung", "Libellé", "Etiqueta"]), &self.label)
                .errors_of("bookingFields.label"),
            Input::text("name", pick(lang, ["Identifier", "Kennung", "Identifiant", "Identificador"]), &self.name)
                .hint(pick(lang, [
                    "The answer's key in the API and webhooks. Empty: made from the label.",
                    "Der Schlüssel der Antwort in API und Webhooks. Leer: aus der Beschriftung.",
                    "La clé de la réponse dans l’API et les webhooks. Vide : tirée du libellé.",
                    "La clave de la respuesta en la API y los webhooks. Vacío: a partir de la etiqueta.",
                ]))
                .errors_of("bookingFields.slug"),
            Input::text("placeholder", pick(lang, ["Placeholder", "Platzhalter", "Texte indicatif", "Texto de ejemplo"]), &self.placeholder)
                .errors_of("bookingFields.placeholder"),
            Input::textarea("options", pick(lang, ["Options, one per line", "Optionen, eine pro Zeile", "Options, une par ligne", "Opciones, una por línea"]), &self.options)
                .hint(format!("{}: {}", pick(lang, ["For", "Für", "Pour", "Para"]), CHOICE_TYPES.join(", ")))
                .errors_of("bookingFields.options"),
            Input::checkbox("required", pick(lang, ["Required", "Pflichtfeld", "Obligatoire", "Obligatorio"]), ticked(&self.required)),
            Input::checkbox("hidden", pick(lang, ["Hidden", "Verborgen", "Masqué", "Oculto"]), ticked(&self.hidden)),
        ];
        let mut section = FormSection::new(
            Self::ANCHOR,
            pick(
                lang,
                [
                    "Booking questions",
                    "Buchungsfragen",
                    "Questions de réservation",
                    "Preguntas de reserva",
                ],
            ),
            cx.action("questions"),
            vec![Group::plain(inputs)],
        );
        section.items = Some(Items {
            action: cx.action("questions/order"),
            rows: rows(&cx.event.settings.booking_fields, |_, f| {
                question_row(lang, id, f)
            }),
            empty: pick(
                lang,
                [
                    "Only the standard questions (name, email, notes, guests).",
                    "Nur die Standardfragen (Name, E-Mail, Notizen, Gäste).",
                    "Seulement les questions standard (nom, e-mail, notes, invités).",
                    "Solo las preguntas estándar (nombre, correo, notas, invitados).",
                ],
            )
            .to_owned(),
        });
        let editing = !self.original.is_empty();
        section.form_title = Some(
            if editing {
                pick(
                    lang,
                    [
                        "Edit question",
                        "Frage bearbeiten",
                        "Modifier la question",
                        "Editar pregunta",
                    ],
                )
            } else {
                pick(
                    lang,
                    [
                        "Add a question",
                        "Frage hinzufügen",
                        "Ajouter une question",
                        "Añadir una pregunta",
                    ],
                )
            }
            .to_owned(),
        );
        section.hidden.push(("original", self.original.clone()));
        section
    }
}

fn question_row(lang: Lang, id: i64, f: &BookingField) -> Item {
    let mut detail = vec![kind_label(lang, f.kind).to_owned(), f.slug.clone()];
    if f.required {
        detail.push(pick(lang, ["required", "Pflicht", "obligatoire", "obligatorio"]).to_owned());
    }
    if f.is_hidden() {
        detail.push(pick(lang, ["hidden", "verborgen", "masqué", "oculto"]).to_owned());
    }
    if !f.choices().is_empty() {
        detail.push(f.choices().join(" / "));
    }
    Item {
        key: f.slug.clone(),
        title: f.label.clone(),
        detail: detail.join(" · "),
        edit: Some(format!("/event-types/{id}?question={}#questions", f.slug)),
        first: false,
        last: false,
    }
}

fn kind_label(lang: Lang, kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Name => pick(lang, ["Name", "Name", "Nom", "Nombre"]),
        FieldKind::Email => pick(lang, ["Email", "E-Mail", "E-mail", "Correo"]),
        FieldKind::Phone => pick(lang, ["Phone", "Telefon", "Téléphone", "Teléfono"]),
        FieldKind::Address => pick(lang, ["Address", "Adresse", "Adresse", "Dirección"]),
        FieldKind::Text => pick(
            lang,
            ["Short text", "Kurzer Text", "Texte court", "Texto corto"],
        ),
        FieldKind::Number => pick(lang, ["Number", "Zahl", "Nombre", "Número"]),
        FieldKind::Textarea => pick(
            lang,
            ["Long text", "Langer Text", "Texte long", "Texto largo"],
        ),
        FieldKind::Multiemail => pick(
            lang,
            [
                "Several emails",
                "Mehrere E-Mails",
                "Plusieurs e-mails",
                "Varios correos",
            ],
        ),
        FieldKind::Checkbox => pick(
            lang,
            [
                "Checkboxes",
                "Kontrollkästchen",
                "Cases à cocher",
                "Casillas",
            ],
        ),
        FieldKind::Multiselect => pick(
            lang,
            [
                "Multiple choice list",
                "Mehrfachauswahl",
                "Liste à choix multiples",
                "Lista de selección múltiple",
            ],
        ),
        FieldKind::Select => pick(
            lang,
            ["Select", "Auswahlliste", "Liste déroulante", "Desplegable"],
        ),
        FieldKind::Radio => pick(
            lang,
            [
                "Radio buttons",
                "Optionsfelder",
                "Boutons radio",
                "Botones de opción",
            ],
        ),
        FieldKind::Boolean => pick(
            lang,
            [
                "Yes/no checkbox",
                "Ja/Nein-Kästchen",
                "Case oui/non",
                "Casilla sí/no",
            ],
        ),
        FieldKind::Url => pick(lang, ["URL", "URL", "URL", "URL"]),
    }
}

impl Change for QuestionForm {
    const ANCHOR: &'static str = "questions";

    fn changes(&self, event: &EventType) -> Result<Map<String, Value>, String> {
        let field = self.field()?;
        let mut list = fields_json(event);
        if self.original.is_empty() {
            list.push(field);
        } else {
            let at = event
                .settings
                .booking_fields
                .iter()
                .position(|f| f.slug == self.original)
                .ok_or_else(|| {
                    format!(
                        "bookingFields: the question `{}` is no longer there",
                        self.original
                    )
                })?;
            list[at] = field;
        }
        Ok(questions(list))
    }

    fn keep(self, kept: &mut Kept) {
        kept.question = Some(self);
    }
}

/// Moves or removes a booking question (by its identifier).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct QuestionOrder(ListOp);

impl QuestionOrder {
    pub fn reordered(&self, event: &EventType) -> Result<Map<String, Value>, String> {
        let at = event
            .settings
            .booking_fields
            .iter()
            .position(|f| f.slug == self.0.key)
            .ok_or_else(|| {
                format!(
                    "bookingFields: the question `{}` is no longer there",
                    self.0.key
                )
            })?;
        Ok(questions(apply(fields_json(event), at, &self.0.op)?))
    }
}

// ---- Locations ----

fn locations_json(event: &EventType) -> Vec<Value> {
    event
        .settings
        .locations
        .iter()
        .map(|l| l.shape.clone())
        .collect()
}

fn locations(list: Vec<Value>) -> Map<String, Value> {
    let input = EventTypeInput {
        locations: Some(list),
        ..Default::default()
    };
    partial(&input, &["locations"])
}

#[derive(Debug, Default, Deserialize)]
pub struct LocationForm {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    public: Option<String>,
}

impl LocationForm {
    /// The empty "add a location" form: Cal Video chosen.
    pub fn blank() -> Self {
        Self {
            kind: LocationKind::Integration.as_str().to_owned(),
            value: "cal-video".to_owned(),
            public: None,
        }
    }

    fn location(&self) -> Value {
        let mut location = json!({"type": self.kind});
        let key = LocationKind::parse(&self.kind).and_then(LocationKind::value_key);
        if let Some(key) = key {
            location[key] = json!(self.value.trim());
        }
        if ticked(&self.public) {
            location["displayLocationPublicly"] = json!(true);
        }
        location
    }

    pub fn section(&self, cx: &Context) -> FormSection {
        let lang = cx.lang;
        let kinds = LocationKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), location_label(lang, *k), &self.kind))
            .collect();
        let inputs = vec![
            Input::select("type", pick(lang, ["Where", "Wo", "Où", "Dónde"]), kinds)
                .errors_of("locations.type"),
            Input::text("value", pick(lang, ["Address, link, phone number or app", "Adresse, Link, Telefonnummer oder App", "Adresse, lien, numéro ou application", "Dirección, enlace, teléfono o aplicación"]), &self.value)
                .hint(pick(lang, [
                    "For an address, a link, the host's phone or a video app (cal-video, zoom, google-meet…). Not needed when the booker gives it.",
                    "Für Adresse, Link, Telefon des Gastgebers oder Video-App (cal-video, zoom, google-meet…). Nicht nötig, wenn die buchende Person sie angibt.",
                    "Pour une adresse, un lien, le téléphone de l’hôte ou une application vidéo (cal-video, zoom, google-meet…). Inutile si le participant la fournit.",
                    "Para una dirección, un enlace, el teléfono del anfitrión o una aplicación de vídeo (cal-video, zoom, google-meet…). No hace falta si la da el asistente.",
                ]))
                .errors_of("locations"),
            Input::checkbox("public", pick(lang, ["Show it on the public page", "Auf der öffentlichen Seite zeigen", "L’afficher sur la page publique", "Mostrarlo en la página pública"]), ticked(&self.public)),
        ];
        let mut section = FormSection::new(
            Self::ANCHOR,
            pick(lang, ["Locations", "Orte", "Lieux", "Ubicaciones"]),
            cx.action("locations"),
            vec![Group::plain(inputs)],
        );
        section.items = Some(Items {
            action: cx.action("locations/order"),
            rows: rows(&cx.event.settings.locations, |i, l| {
                location_row(lang, i, l)
            }),
            empty: pick(
                lang,
                [
                    "No location: the booking says none.",
                    "Kein Ort: die Buchung nennt keinen.",
                    "Aucun lieu : la réservation n’en indique pas.",
                    "Sin ubicación: la reserva no indica ninguna.",
                ],
            )
            .to_owned(),
        });
        section.form_title = Some(
            pick(
                lang,
                [
                    "Add a location",
                    "Ort hinzufügen",
                    "Ajouter un lieu",
                    "Añadir una ubicación",
                ],
            )
            .to_owned(),
        );
        section
    }
}

fn location_row(lang: Lang, at: usize, l: &Location) -> Item {
    let mut detail = l.value.clone().unwrap_or_default();
    if l.public {
        detail.push_str(pick(
            lang,
            [" · public", " · öffentlich", " · public", " · pública"],
        ));
    }
    Item {
        key: at.to_string(),
        title: location_label(lang, l.kind).to_owned(),
        detail,
        edit: None,
        first: false,
        last: false,
    }
}

fn location_label(lang: Lang, kind: LocationKind) -> &'static str {
    match kind {
        LocationKind::Address => pick(
            lang,
            [
                "In person (address)",
                "Vor Ort (Adresse)",
                "En personne (adresse)",
                "En persona (dirección)",
            ],
        ),
        LocationKind::Link => pick(lang, ["Link", "Link", "Lien", "Enlace"]),
        LocationKind::Phone => pick(
            lang,
            [
                "Phone (host's number)",
                "Telefon (Nummer des Gastgebers)",
                "Téléphone (numéro de l’hôte)",
                "Teléfono (número del anfitrión)",
            ],
        ),
        LocationKind::Integration => pick(
            lang,
            [
                "Video app",
                "Video-App",
                "Application vidéo",
                "Aplicación de vídeo",
            ],
        ),
        LocationKind::AttendeeAddress => pick(
            lang,
            [
                "In person (booker's address)",
                "Vor Ort (Adresse der buchenden Person)",
                "En personne (adresse du participant)",
                "En persona (dirección del asistente)",
            ],
        ),
        LocationKind::AttendeePhone => pick(
            lang,
            [
                "Phone (booker's number)",
                "Telefon (Nummer der buchenden Person)",
                "Téléphone (numéro du participant)",
                "Teléfono (número del asistente)",
            ],
        ),
        LocationKind::AttendeeDefined => pick(
            lang,
            [
                "Booker chooses",
                "Buchende Person wählt",
                "Au choix du participant",
                "Elige el asistente",
            ],
        ),
        LocationKind::OrganizersDefaultApp => pick(
            lang,
            [
                "Host's default app",
                "Standard-App des Gastgebers",
                "Application par défaut de l’hôte",
                "Aplicación predeterminada del anfitrión",
            ],
        ),
    }
}

impl Change for LocationForm {
    const ANCHOR: &'static str = "locations";

    fn changes(&self, event: &EventType) -> Result<Map<String, Value>, String> {
        let mut list = locations_json(event);
        list.push(self.location());
        Ok(locations(list))
    }

    fn keep(self, kept: &mut Kept) {
        kept.location = Some(self);
    }
}

/// Moves or removes a location (by its position).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct LocationOrder(ListOp);

impl LocationOrder {
    pub fn reordered(&self, event: &EventType) -> Result<Map<String, Value>, String> {
        let list = locations_json(event);
        let at = self
            .0
            .key
            .parse::<usize>()
            .ok()
            .filter(|at| *at < list.len())
            .ok_or_else(|| format!("locations: there is no location {}", self.0.key))?;
        Ok(locations(apply(list, at, &self.0.op)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_move_and_go() {
        let list = vec![json!(1), json!(2), json!(3)];
        assert_eq!(
            apply(list.clone(), 1, "up"),
            Ok(vec![json!(2), json!(1), json!(3)])
        );
        assert_eq!(apply(list.clone(), 2, "down"), Ok(list.clone()));
        assert_eq!(
            apply(list.clone(), 0, "remove"),
            Ok(vec![json!(2), json!(3)])
        );
        assert!(apply(list, 0, "sideways").is_err());
    }

    #[test]
    fn a_question_in_the_apis_shape() {
        let form = QuestionForm {
            kind: "select".into(),
            label: "Team size".into(),
            options: "1-10\n\n 11-50 \n".into(),
            required: Some("on".into()),
            ..Default::default()
        };
        assert_eq!(
            form.field(),
            Ok(
                json!({"type": "select", "slug": "team-size", "label": "Team size",
                "required": true, "options": ["1-10", "11-50"]})
            )
        );
        let system = QuestionForm {
            kind: "email".into(),
            name: "email".into(),
            ..Default::default()
        };
        assert!(
            system
                .field()
                .unwrap_err()
                .starts_with("bookingFields.slug: ")
        );
    }

    #[test]
    fn a_location_carries_its_value_under_its_kinds_key() {
        let form = LocationForm {
            kind: "address".into(),
            value: " 1 Main St ".into(),
            public: Some("on".into()),
        };
        assert_eq!(
            form.location(),
            json!({"type": "address", "address": "1 Main St", "displayLocationPublicly": true})
        );
        let booker = LocationForm {
            kind: "attendeePhone".into(),
            value: "ignored".into(),
            public: None,
        };
        assert_eq!(booker.location(), json!({"type": "attendeePhone"}));
    }
}

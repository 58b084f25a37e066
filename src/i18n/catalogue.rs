//! The catalogue: the Fluent messages of `locales/{en,de,fr,es}/kairos.ftl`, compiled into the
//! binary and parsed once into one bundle per language, shared by every thread.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

use super::Lang;

/// A value a message's variable takes: text, or a number (which selects plural forms).
pub use fluent_bundle::FluentValue as Value;

type Bundle = FluentBundle<FluentResource>;

/// Each language's source, in `Lang::ALL`'s order.
const SOURCES: [&str; 4] = [
    include_str!("../../locales/en/kairos.ftl"),
    include_str!("../../locales/de/kairos.ftl"),
    include_str!("../../locales/fr/kairos.ftl"),
    include_str!("../../locales/es/kairos.ftl"),
];

static BUNDLES: LazyLock<[Bundle; 4]> = LazyLock::new(|| Lang::ALL.map(bundle));

pub(super) fn source(lang: Lang) -> &'static str {
    SOURCES[lang.index()]
}

fn bundle(lang: Lang) -> Bundle {
    let mut bundle = FluentBundle::new_concurrent(vec![lang.id()]);
    // Emails are plain text and pages escape what they show: no bidi isolation marks.
    bundle.set_use_isolating(false);
    // A catalogue that does not parse is a defect of this build (the tests parse every one);
    // what parsed is still served.
    let resource = FluentResource::try_new(source(lang).to_owned()).unwrap_or_else(|(r, e)| {
        tracing::error!(lang = lang.code(), errors = ?e, "catalogue does not parse");
        r
    });
    if let Err(e) = bundle.add_resource(resource) {
        tracing::error!(lang = lang.code(), errors = ?e, "catalogue repeats a message");
    }
    bundle
}

/// Message `key` in `lang` with `args` filled in, or why it cannot be written.
pub fn format(lang: Lang, key: &str, args: &[(&str, Value<'_>)]) -> Result<String, String> {
    let bundle = &BUNDLES[lang.index()];
    let pattern = bundle
        .get_message(key)
        .and_then(|m| m.value())
        .ok_or_else(|| format!("no message {key} in {}", lang.code()))?;
    let mut fluent_args = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    if errors.is_empty() {
        Ok(text.into_owned())
    } else {
        Err(format!("{key} in {}: {errors:?}", lang.code()))
    }
}

/// Message `key` in `lang` with `args` filled in. A missing message or variable is a defect the
/// tests catch; should one slip through, the reader gets the key (or the text with the gap)
/// and the log says why, rather than no email at all.
pub fn t(lang: Lang, key: &str, args: &[(&str, Value<'_>)]) -> String {
    format(lang, key, args).unwrap_or_else(|why| {
        tracing::warn!("translation: {why}");
        key.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use fluent_syntax::ast::Entry;

    use super::*;

    fn keys(lang: Lang) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source(lang).to_owned())
            .unwrap_or_else(|(_, e)| panic!("{} does not parse: {e:?}", lang.code()));
        resource
            .entries()
            .filter_map(|entry| match entry {
                Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    /// A value for every variable the catalogue uses; numbers where they select a form.
    fn sample_args() -> Vec<(&'static str, Value<'static>)> {
        let mut args: Vec<(&str, Value)> = [
            "weekday",
            "year",
            "title",
            "when",
            "booker",
            "hosts",
            "was",
            "uid",
            "by",
            "place",
            "reason",
            "name",
            "attendees",
            "url",
            "label",
            "value",
            "organizer",
            "date",
            "email",
            "site",
            "until",
        ]
        .into_iter()
        .map(|name| (name, Value::from("x")))
        .collect();
        args.extend([
            ("month", Value::from(3)),
            ("day", Value::from(2)),
            ("count", Value::from(2)),
            ("hostCount", Value::from(1)),
            ("interval", Value::from(2)),
            ("unit", Value::from("week")),
        ]);
        // `date-long` takes the month's name: a text value formats there all the same.
        args
    }

    #[test]
    fn every_message_exists_in_every_language_and_formats() {
        let english = keys(Lang::En);
        assert!(english.len() > 50, "{}", english.len());
        for lang in Lang::ALL {
            let these = keys(lang);
            let missing: Vec<_> = english.difference(&these).collect();
            let extra: Vec<_> = these.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, not in English {extra:?}",
                lang.code()
            );
            for key in &these {
                let text = format(lang, key, &sample_args()).unwrap();
                assert!(!text.trim().is_empty(), "{key} in {}", lang.code());
            }
        }
    }

    #[test]
    fn plurals_follow_each_language() {
        let seats = |lang, n: u32| t(lang, "page-seats-left", &[("count", n.into())]);
        assert_eq!(seats(Lang::En, 1), "1 seat left");
        assert_eq!(seats(Lang::En, 2), "2 seats left");
        assert_eq!(seats(Lang::De, 1), "1 Platz frei");
        // French counts 0 and 1 as one.
        assert_eq!(seats(Lang::Fr, 0), "0 place libre");
        assert_eq!(seats(Lang::Es, 3), "3 plazas libres");
    }

    #[test]
    fn a_missing_message_or_variable_is_reported() {
        assert!(format(Lang::En, "no-such-key", &[]).is_err());
        assert_eq!(t(Lang::En, "no-such-key", &[]), "no-such-key");
        assert!(format(Lang::En, "email-greeting", &[]).is_err());
    }
}

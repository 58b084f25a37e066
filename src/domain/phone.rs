use std::fmt;

/// A phone number in E.164 form (`+` and 8 to 15 digits, no leading zero after the `+`), the
/// only form SMS providers take. Spaces, `-`, `.` and parentheses a person types are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let refuse = || {
            format!(
                "`{trimmed}` is not a phone number in international form: `+`, the country code \
                 and the number, like +12125550100"
            )
        };
        let rest = trimmed.strip_prefix('+').ok_or_else(refuse)?;
        let mut digits = String::with_capacity(rest.len() + 1);
        digits.push('+');
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(refuse()),
            }
        }
        let count = digits.len() - 1;
        if (8..=15).contains(&count) && !digits[1..].starts_with('0') {
            Ok(Self(digits))
        } else {
            Err(refuse())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::PhoneNumber;

    #[test]
    fn reads_international_numbers_as_people_type_them() {
        for (raw, e164) in [
            ("+12125550100", "+12125550100"),
            (" +1 (212) 555-0100 ", "+12125550100"),
            ("+49 30.1234567", "+49301234567"),
            ("+447700900123", "+447700900123"),
        ] {
            assert_eq!(PhoneNumber::parse(raw).unwrap().as_str(), e164, "{raw}");
        }
    }

    #[test]
    fn refuses_what_a_provider_would() {
        for bad in [
            "",
            "2125550100",
            "+0123456789",
            "+1234567",
            "+1234567890123456",
            "+1 212 555 01OO",
            "++12125550100",
            "+1/2125550100",
        ] {
            let error = PhoneNumber::parse(bad).unwrap_err();
            assert!(error.contains("+12125550100"), "{bad}: {error}");
        }
    }
}

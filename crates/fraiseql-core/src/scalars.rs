//! The scalar library: which scalars exist, how they compare in SQL.

/// How a scalar behaves in filters and ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarKind {
    /// `String` and text-like custom scalars (Email, URL, ...): text comparisons and string operators.
    Text,
    /// `ID`: text equality and ordering, no pattern operators.
    Id,
    /// `Int`.
    Int,
    /// `Float`.
    Float,
    /// `Boolean`.
    Boolean,
    /// `DateTime` (timestamptz).
    DateTime,
    /// `Date`.
    Date,
    /// `Time`.
    Time,
    /// `UUID`.
    Uuid,
    /// `JSON`: compared as jsonb.
    Json,
    /// `IpAddress` (inet).
    IpAddress,
    /// `CIDR` (cidr).
    Cidr,
    /// `LTree` (ltree).
    LTree,
}

impl ScalarKind {
    /// The kind of a scalar by its GraphQL name; unknown custom scalars compare as text.
    pub fn of(name: &str) -> ScalarKind {
        match name {
            "String" => ScalarKind::Text,
            "ID" => ScalarKind::Id,
            "Int" => ScalarKind::Int,
            "Float" => ScalarKind::Float,
            "Boolean" => ScalarKind::Boolean,
            "DateTime" => ScalarKind::DateTime,
            "Date" => ScalarKind::Date,
            "Time" => ScalarKind::Time,
            "UUID" => ScalarKind::Uuid,
            "JSON" => ScalarKind::Json,
            "IpAddress" => ScalarKind::IpAddress,
            "CIDR" => ScalarKind::Cidr,
            "LTree" => ScalarKind::LTree,
            "Latitude" | "Longitude" | "Money" => ScalarKind::Float,
            "Port" => ScalarKind::Int,
            _ => ScalarKind::Text,
        }
    }

    /// The PostgreSQL type a JSON text value is cast to before comparing, `None` for text.
    pub fn sql_cast(self) -> Option<&'static str> {
        match self {
            ScalarKind::Text | ScalarKind::Id => None,
            ScalarKind::Int | ScalarKind::Float => Some("numeric"),
            ScalarKind::Boolean => Some("boolean"),
            ScalarKind::DateTime => Some("timestamptz"),
            ScalarKind::Date => Some("date"),
            ScalarKind::Time => Some("time"),
            ScalarKind::Uuid => Some("uuid"),
            ScalarKind::Json => Some("jsonb"),
            ScalarKind::IpAddress => Some("inet"),
            ScalarKind::Cidr => Some("cidr"),
            ScalarKind::LTree => Some("ltree"),
        }
    }
}

/// The custom scalars the engine declares when a schema uses them without declaring them.
pub const LIBRARY_SCALARS: &[(&str, &str)] = &[
    (
        "DateTime",
        "An ISO 8601 date and time with offset, e.g. 2024-05-01T12:00:00Z.",
    ),
    ("Date", "An ISO 8601 calendar date, e.g. 2024-05-01."),
    ("Time", "An ISO 8601 time of day, e.g. 13:45:00."),
    ("UUID", "A UUID in its canonical text form."),
    ("JSON", "Any JSON value."),
    ("Email", "An email address."),
    ("URL", "An absolute URL."),
    ("IpAddress", "An IPv4 or IPv6 address."),
    (
        "CIDR",
        "An IPv4 or IPv6 network in CIDR notation, e.g. 10.0.0.0/8.",
    ),
    ("MacAddress", "A MAC address, e.g. 08:00:2b:01:02:03."),
    ("Hostname", "A DNS host name."),
    (
        "LTree",
        "A PostgreSQL ltree label path, e.g. tech.rust.async.",
    ),
    ("PhoneNumber", "A phone number in E.164 form."),
    ("Slug", "A URL slug: lowercase letters, digits and hyphens."),
    ("HexColor", "A colour as #RRGGBB."),
    ("CountryCode", "An ISO 3166-1 alpha-2 country code."),
    ("CurrencyCode", "An ISO 4217 currency code."),
    ("LanguageCode", "A BCP 47 language tag."),
    ("Money", "A decimal amount of money, as a string."),
    ("Port", "A TCP or UDP port number."),
    ("Latitude", "A latitude in degrees, -90 to 90."),
    ("Longitude", "A longitude in degrees, -180 to 180."),
    ("Duration", "An ISO 8601 duration, e.g. P1DT2H."),
    ("SemanticVersion", "A semantic version, e.g. 1.2.3."),
    (
        "DateRange",
        "A range of dates, e.g. [2024-01-01,2024-02-01).",
    ),
    ("IBAN", "An International Bank Account Number."),
];

/// True for the GraphQL built-in scalars.
pub fn is_builtin(name: &str) -> bool {
    matches!(name, "String" | "ID" | "Int" | "Float" | "Boolean")
}

/// Checks a custom scalar's input value; `Err` says what the value must look like.
/// Scalars without a rule (and the built-ins, which GraphQL coercion checks) accept anything.
pub fn validate(name: &str, value: &apollo_compiler::response::JsonValue) -> Result<(), String> {
    use apollo_compiler::response::JsonValue;
    let text = match value {
        JsonValue::String(s) => Some(s.as_str()),
        _ => None,
    };
    let number = value.as_f64();
    let ok = match name {
        "Date" => text.is_some_and(|t| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok()),
        "DateTime" => text.is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()),
        "Time" => text.is_some_and(|t| {
            chrono::NaiveTime::parse_from_str(t, "%H:%M:%S%.f").is_ok()
                || chrono::NaiveTime::parse_from_str(t, "%H:%M").is_ok()
        }),
        "UUID" => text.is_some_and(|t| uuid::Uuid::parse_str(t).is_ok()),
        "IpAddress" => text.is_some_and(|t| t.parse::<std::net::IpAddr>().is_ok()),
        "CIDR" => text.is_some_and(is_cidr),
        "Email" => text.is_some_and(is_email),
        // The empty string is the empty path in PostgreSQL.
        "LTree" => text.is_some_and(|t| {
            t.is_empty()
                || t.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 255
                        && l.chars()
                            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                })
        }),
        "Latitude" => number.is_some_and(|n| (-90.0..=90.0).contains(&n)),
        "Longitude" => number.is_some_and(|n| (-180.0..=180.0).contains(&n)),
        "Port" => value.as_i64().is_some_and(|n| (0..=65535).contains(&n)),
        "HexColor" => text.is_some_and(|t| {
            t.len() == 7 && t.starts_with('#') && t[1..].chars().all(|c| c.is_ascii_hexdigit())
        }),
        "CountryCode" => {
            text.is_some_and(|t| t.len() == 2 && t.chars().all(|c| c.is_ascii_uppercase()))
        }
        "CurrencyCode" => {
            text.is_some_and(|t| t.len() == 3 && t.chars().all(|c| c.is_ascii_uppercase()))
        }
        "Slug" => text.is_some_and(|t| {
            !t.is_empty()
                && t.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        }),
        _ => true,
    };
    if ok {
        return Ok(());
    }
    let expected = match name {
        "Date" => "a calendar date YYYY-MM-DD",
        "DateTime" => "an RFC 3339 date and time with offset, e.g. 2024-05-01T12:00:00Z",
        "Time" => "a time HH:MM or HH:MM:SS",
        "UUID" => "a UUID",
        "IpAddress" => "an IPv4 or IPv6 address",
        "CIDR" => "a network in CIDR notation, e.g. 10.0.0.0/8",
        "Email" => "an email address",
        "LTree" => "a dot-separated path of labels (letters, digits, _ and -)",
        "Latitude" => "a number from -90 to 90",
        "Longitude" => "a number from -180 to 180",
        "Port" => "an integer from 0 to 65535",
        "HexColor" => "a colour #RRGGBB",
        "CountryCode" => "two uppercase letters (ISO 3166-1 alpha-2)",
        "CurrencyCode" => "three uppercase letters (ISO 4217)",
        _ => "a lowercase slug (letters, digits, -)",
    };
    Err(format!(
        "{value} is not a valid {name}: expected {expected}"
    ))
}

fn is_cidr(t: &str) -> bool {
    let Some((addr, len)) = t.split_once('/') else {
        return false;
    };
    let Ok(len) = len.parse::<u8>() else {
        return false;
    };
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => len <= 32,
        Ok(std::net::IpAddr::V6(_)) => len <= 128,
        Err(_) => false,
    }
}

fn is_email(t: &str) -> bool {
    match t.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !t.chars().any(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

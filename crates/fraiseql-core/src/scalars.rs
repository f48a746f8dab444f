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

//! The filter operator table: the one source of truth for the generated filter
//! inputs, their validation (through the served schema) and their SQL.

use crate::scalars::ScalarKind;

/// A filter operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    Nin,
    IsNull,
    Contains,
    Icontains,
    StartsWith,
    IstartsWith,
    EndsWith,
    IendsWith,
    Like,
    Ilike,
    Regex,
    Iregex,
    Matches,
    PlainQuery,
    PhraseQuery,
    WebsearchQuery,
    ArrayContains,
    ArrayContainedBy,
    ArrayOverlaps,
    ArrayLength,
    InSubnet,
    ContainsIp,
    IsPrivate,
    IsLoopback,
    IsIpv4,
    IsIpv6,
    AncestorOf,
    DescendantOf,
    MatchesLquery,
    Depth,
}

/// The GraphQL type of an operator's operand, relative to the filtered field's type `S`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    /// `S`
    Same,
    /// `[S!]`
    SameList,
    /// `String`
    String,
    /// `Boolean`
    Boolean,
    /// `IntFilter`
    IntFilter,
}

/// Which fields an operator applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Every scalar and enum.
    All,
    /// Every scalar with an order (not Boolean, not JSON), not enums.
    Ordered,
    /// String and text-like custom scalars.
    Text,
    /// IpAddress and CIDR.
    Network,
    /// CIDR only.
    Cidr,
    /// LTree.
    LTree,
    /// JSON arrays of scalars.
    Array,
}

/// One row of the operator table.
#[derive(Debug)]
pub struct OpDef {
    pub name: &'static str,
    pub op: Op,
    pub operand: Operand,
    pub family: Family,
    pub description: &'static str,
}

macro_rules! ops {
    ($(($name:literal, $op:ident, $operand:ident, $family:ident, $desc:literal)),* $(,)?) => {
        &[$(OpDef { name: $name, op: Op::$op, operand: Operand::$operand, family: Family::$family, description: $desc }),*]
    };
}

/// The operator table.
pub const OPERATORS: &[OpDef] = ops![
    ("eq", Eq, Same, All, "Equal to."),
    (
        "neq",
        Neq,
        Same,
        All,
        "Not equal to (rows where the field is null are excluded)."
    ),
    ("gt", Gt, Same, Ordered, "Greater than."),
    ("gte", Gte, Same, Ordered, "Greater than or equal to."),
    ("lt", Lt, Same, Ordered, "Less than."),
    ("lte", Lte, Same, Ordered, "Less than or equal to."),
    ("in", In, SameList, All, "Equal to one of the values."),
    (
        "nin",
        Nin,
        SameList,
        All,
        "Equal to none of the values (rows where the field is null are excluded)."
    ),
    (
        "isNull",
        IsNull,
        Boolean,
        All,
        "true: the field is null or absent; false: it has a value."
    ),
    (
        "contains",
        Contains,
        String,
        Text,
        "Contains the substring (case-sensitive)."
    ),
    (
        "icontains",
        Icontains,
        String,
        Text,
        "Contains the substring (case-insensitive)."
    ),
    (
        "startsWith",
        StartsWith,
        String,
        Text,
        "Starts with the prefix (case-sensitive)."
    ),
    (
        "istartsWith",
        IstartsWith,
        String,
        Text,
        "Starts with the prefix (case-insensitive)."
    ),
    (
        "endsWith",
        EndsWith,
        String,
        Text,
        "Ends with the suffix (case-sensitive)."
    ),
    (
        "iendsWith",
        IendsWith,
        String,
        Text,
        "Ends with the suffix (case-insensitive)."
    ),
    (
        "like",
        Like,
        String,
        Text,
        "SQL LIKE pattern (% and _ wildcards)."
    ),
    (
        "ilike",
        Ilike,
        String,
        Text,
        "SQL ILIKE pattern (case-insensitive LIKE)."
    ),
    (
        "regex",
        Regex,
        String,
        Text,
        "POSIX regular expression match (case-sensitive)."
    ),
    (
        "iregex",
        Iregex,
        String,
        Text,
        "POSIX regular expression match (case-insensitive)."
    ),
    (
        "matches",
        Matches,
        String,
        Text,
        "Full-text search with tsquery syntax (to_tsquery)."
    ),
    (
        "plainQuery",
        PlainQuery,
        String,
        Text,
        "Full-text search, all words (plainto_tsquery)."
    ),
    (
        "phraseQuery",
        PhraseQuery,
        String,
        Text,
        "Full-text search for a phrase (phraseto_tsquery)."
    ),
    (
        "websearchQuery",
        WebsearchQuery,
        String,
        Text,
        "Full-text search with web-search syntax (websearch_to_tsquery)."
    ),
    (
        "inSubnet",
        InSubnet,
        String,
        Network,
        "The address lies in the CIDR network given."
    ),
    (
        "containsIp",
        ContainsIp,
        String,
        Cidr,
        "The network contains the address given."
    ),
    (
        "isPrivate",
        IsPrivate,
        Boolean,
        Network,
        "The address is in a private range (RFC 1918, RFC 4193)."
    ),
    (
        "isLoopback",
        IsLoopback,
        Boolean,
        Network,
        "The address is a loopback address."
    ),
    ("isIpv4", IsIpv4, Boolean, Network, "The address is IPv4."),
    ("isIpv6", IsIpv6, Boolean, Network, "The address is IPv6."),
    (
        "ancestorOf",
        AncestorOf,
        Same,
        LTree,
        "The path is an ancestor of (or equal to) the path given."
    ),
    (
        "descendantOf",
        DescendantOf,
        Same,
        LTree,
        "The path is a descendant of (or equal to) the path given."
    ),
    (
        "matchesLquery",
        MatchesLquery,
        String,
        LTree,
        "The path matches the lquery pattern given."
    ),
    (
        "depth",
        Depth,
        IntFilter,
        LTree,
        "Filters on the number of labels in the path."
    ),
];

/// Operators on JSON arrays of scalars.
pub const ARRAY_OPERATORS: &[OpDef] = ops![
    (
        "arrayContains",
        ArrayContains,
        SameList,
        Array,
        "The array contains every value given."
    ),
    (
        "arrayContainedBy",
        ArrayContainedBy,
        SameList,
        Array,
        "Every element of the array is among the values given."
    ),
    (
        "arrayOverlaps",
        ArrayOverlaps,
        SameList,
        Array,
        "The array and the values given share at least one element."
    ),
    (
        "arrayLength",
        ArrayLength,
        IntFilter,
        Array,
        "Filters on the number of elements."
    ),
    (
        "isNull",
        IsNull,
        Boolean,
        Array,
        "true: the field is null or absent; false: it has a value."
    ),
];

impl Family {
    /// Whether operators of this family apply to a scalar of `kind` (`None` for enums).
    pub fn applies_to(self, kind: Option<ScalarKind>) -> bool {
        match (self, kind) {
            (Family::All, _) => true,
            (_, None) => false,
            (Family::Ordered, Some(k)) => !matches!(k, ScalarKind::Boolean | ScalarKind::Json),
            (Family::Text, Some(k)) => k == ScalarKind::Text,
            (Family::Network, Some(k)) => matches!(k, ScalarKind::IpAddress | ScalarKind::Cidr),
            (Family::Cidr, Some(k)) => k == ScalarKind::Cidr,
            (Family::LTree, Some(k)) => k == ScalarKind::LTree,
            (Family::Array, _) => false,
        }
    }
}

/// The operators advertised for a scalar field of `kind` (`None` for an enum).
pub fn scalar_operators(kind: Option<ScalarKind>) -> impl Iterator<Item = &'static OpDef> {
    OPERATORS.iter().filter(move |d| d.family.applies_to(kind))
}

/// Looks an operator up by name for a scalar field of `kind`.
pub fn scalar_operator(kind: Option<ScalarKind>, name: &str) -> Option<&'static OpDef> {
    scalar_operators(kind).find(|d| d.name == name)
}

/// Looks an array operator up by name.
pub fn array_operator(name: &str) -> Option<&'static OpDef> {
    ARRAY_OPERATORS.iter().find(|d| d.name == name)
}

//! camelCase GraphQL names ↔ snake_case JSON keys, acronym-safe.

/// Converts a GraphQL field name to the snake_case key used in the JSONB `data`.
///
/// An underscore goes before an uppercase letter that follows a lowercase letter
/// or digit, and before the last capital of an acronym that starts a new word:
/// `firstName` → `first_name`, `userID` → `user_id`, `parseHTTPResponse` →
/// `parse_http_response`, `ipv4Address` → `ipv4_address`.
pub fn to_snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_snake_case;

    #[test]
    fn converts_camel_case_and_acronyms() {
        for (input, expected) in [
            ("id", "id"),
            ("firstName", "first_name"),
            ("userID", "user_id"),
            ("parseHTTPResponse", "parse_http_response"),
            ("ipv4Address", "ipv4_address"),
            ("HTMLBody", "html_body"),
            ("already_snake", "already_snake"),
            ("createdAt", "created_at"),
            ("lastLoginIP", "last_login_ip"),
            ("URL", "url"),
        ] {
            assert_eq!(to_snake_case(input), expected, "input {input}");
        }
    }
}

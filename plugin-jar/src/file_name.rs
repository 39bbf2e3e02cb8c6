//! The file name a plugin's JAR gets when homeamp writes it: `<name>-<version>.jar`,
//! with every character other than letters, digits, `.`, `-` and `_` replaced by `_`
//! (plugin names such as `1p death, all death` hold spaces and commas).

/// `<name>-<version>.jar`, made safe for any file system.
pub fn jar_file_name(name: &str, version: &str) -> String {
    let safe: String = format!("{name}-{version}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}.jar", safe.trim_start_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_keep_what_they_can() {
        assert_eq!(
            jar_file_name("LuckPerms", "5.4.102"),
            "LuckPerms-5.4.102.jar"
        );
        assert_eq!(
            jar_file_name("1p death, all death", "1.0"),
            "1p_death__all_death-1.0.jar"
        );
        assert_eq!(jar_file_name("../x", "1/2"), "_x-1_2.jar");
    }
}

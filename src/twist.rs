//! Near misses of a key or a token: strings that differ from the real one in the ways
//! databases, proxies and header parsers are known to fold, trim or cut. A target must refuse
//! each (a key: 401; a token: unknown), because none is byte for byte what it issued.
//!
//! Each twist is deterministic, so the redactor can mask every twist of a key it knows, and
//! each has a bash expression that makes it from the variable holding the original: a `curl`
//! reproduction sends the twist without the key or the token being written.

/// One way to make a near miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Twist {
    /// The letters' case swapped after the prefix (`ak_`, `shr_`, through the first `_`): a
    /// case-insensitive collation, or a lower-casing lookup, even behind a check of the
    /// prefix's form.
    CaseSwapped,
    /// A `0` appended: a comparison of the first `len(original)` characters only.
    CharAppended,
    /// The last character removed: a prefix match (`LIKE 'x%'`, `starts_with`).
    LastCharCut,
    /// A `0` before and after: a containment match (`LIKE '%x%'`).
    Wrapped,
    /// The last character in its full-width form (`Ａ` for `A`): a Unicode-folding collation
    /// or an NFKC normalisation.
    LastCharFullwidth,
    /// A no-break space appended: a Unicode-aware `strip()` (HTTP itself only trims spaces and
    /// tabs, which is why a plain space cannot be the test).
    NoBreakSpaceAppended,
    /// A space appended, percent-encoded in a URL path: a `strip()` of a path parameter.
    SpaceAppended,
}

impl Twist {
    /// The twists of a key, each sent as the recipient's key on a save.
    pub(crate) const OF_KEYS: [Twist; 5] = [
        Twist::CaseSwapped,
        Twist::CharAppended,
        Twist::LastCharCut,
        Twist::LastCharFullwidth,
        Twist::NoBreakSpaceAppended,
    ];

    /// The twists of a token, each saved with the recipient's key (the scenarios' rows; a
    /// unit test ties the two together).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) const OF_TOKENS: [Twist; 5] = [
        Twist::CaseSwapped,
        Twist::CharAppended,
        Twist::LastCharCut,
        Twist::Wrapped,
        Twist::SpaceAppended,
    ];

    /// How a scenario names it: `with its letters' case swapped`.
    pub(crate) fn words(self) -> &'static str {
        match self {
            Self::CaseSwapped => "with its letters' case swapped",
            Self::CharAppended => "with a character appended",
            Self::LastCharCut => "without its last character",
            Self::Wrapped => "inside a longer string",
            Self::LastCharFullwidth => "with its last character in full width",
            Self::NoBreakSpaceAppended => "with a no-break space appended",
            Self::SpaceAppended => "with a space appended",
        }
    }

    /// The twist a scenario's words name.
    pub(crate) fn from_words(words: &str) -> Option<Self> {
        [
            Self::CaseSwapped,
            Self::CharAppended,
            Self::LastCharCut,
            Self::Wrapped,
            Self::LastCharFullwidth,
            Self::NoBreakSpaceAppended,
            Self::SpaceAppended,
        ]
        .into_iter()
        .find(|t| t.words() == words)
    }

    /// `original`, twisted.
    pub(crate) fn apply(self, original: &str) -> String {
        match self {
            Self::CaseSwapped => {
                let swap = |text: &str| -> String {
                    text.chars()
                        .map(|c| {
                            if c.is_ascii_lowercase() {
                                c.to_ascii_uppercase()
                            } else {
                                c.to_ascii_lowercase()
                            }
                        })
                        .collect()
                };
                // The prefix (`ak_`, `shr_`) kept as it is: a target that checks the prefix's
                // form and then looks the rest up case-insensitively must see the swap. With
                // no letter after the prefix, the prefix's own are swapped.
                let (prefix, rest) = original.split_at(original.find('_').map_or(0, |i| i + 1));
                let swapped = swap(rest);
                if swapped == rest {
                    swap(original)
                } else {
                    format!("{prefix}{swapped}")
                }
            }
            Self::CharAppended => format!("{original}0"),
            Self::LastCharCut => {
                let mut cut = original.to_owned();
                cut.pop();
                cut
            }
            Self::Wrapped => format!("0{original}0"),
            Self::LastCharFullwidth => {
                let mut chars: Vec<char> = original.chars().collect();
                if let Some(last) = chars.last_mut()
                    && ('!'..='~').contains(last)
                {
                    *last = char::from_u32(u32::from(*last) + 0xFEE0).unwrap_or(*last);
                }
                chars.into_iter().collect()
            }
            Self::NoBreakSpaceAppended => format!("{original}\u{a0}"),
            Self::SpaceAppended => format!("{original} "),
        }
    }

    /// A bash expression that gives the twist of what `${variable}` holds, for use inside
    /// double quotes (in a URL path, the space appended is written percent-encoded, as it is
    /// sent).
    pub(crate) fn shell(self, variable: &str) -> String {
        match self {
            Self::CaseSwapped => format!(
                "$(v=\"${{{variable}}}\"; r=\"${{v#*_}}\"; s=$(printf %s \"$r\" | tr a-zA-Z A-Za-z); if [ \"$s\" != \"$r\" ]; then printf %s \"${{v%\"$r\"}}$s\"; else printf %s \"$v\" | tr a-zA-Z A-Za-z; fi)"
            ),
            Self::CharAppended => format!("${{{variable}}}0"),
            Self::LastCharCut => format!("${{{variable}%?}}"),
            Self::Wrapped => format!("0${{{variable}}}0"),
            Self::LastCharFullwidth => format!(
                "${{{variable}%?}}$(printf \"\\\\U$(printf %08X $(( $(printf %d \"'${{{variable}: -1}}\") + 65248 )))\")"
            ),
            Self::NoBreakSpaceAppended => format!("${{{variable}}}$(printf '\\302\\240')"),
            Self::SpaceAppended => format!("${{{variable}}}%20"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_twist_differs_from_the_original_and_is_named_by_its_words() {
        for twist in Twist::OF_KEYS.iter().chain(&Twist::OF_TOKENS) {
            let original = "ak_3kT9vQ2mXw8LpR4nZ7bY1cH6dJ5sF0gA";
            assert_ne!(twist.apply(original), original, "{twist:?}");
            assert_eq!(Twist::from_words(twist.words()), Some(*twist));
        }
        assert_eq!(Twist::CaseSwapped.apply("ak_Ab1"), "ak_aB1");
        assert_eq!(Twist::CaseSwapped.apply("Ab1"), "aB1");
        assert_eq!(Twist::CaseSwapped.apply("shr_1111"), "SHR_1111");
        assert_eq!(Twist::LastCharFullwidth.apply("ak_A"), "ak_Ａ");
        assert_eq!(Twist::LastCharCut.apply("shr_ab"), "shr_a");
    }

    /// The scenario outlines send exactly the twists listed here: a twist added to the list
    /// without a row, or a row without a twist, fails.
    #[test]
    fn the_scenarios_send_every_listed_twist() {
        let rows = |feature: &str| -> Vec<String> {
            let outline = feature.split("Examples:").nth(1).expect("an outline");
            outline
                .lines()
                .map(str::trim)
                .skip_while(|line| line.is_empty())
                .take_while(|line| line.starts_with('|'))
                .map(|row| row.trim_matches('|').trim().to_owned())
                .filter(|row| row != "twist")
                .collect()
        };
        let outline_of = |feature: &str, marker: &str| -> String {
            let start = feature.find(marker).expect("the outline");
            feature[start..].to_owned()
        };
        let keys = outline_of(
            include_str!("../features/authentication.feature"),
            "Scenario Outline: Saving with the recipient's API key <twist>",
        );
        let tokens = outline_of(
            include_str!("../features/unavailable.feature"),
            "Scenario Outline: Saving the live token <twist>",
        );
        let words = |twists: &[Twist]| -> Vec<String> {
            twists.iter().map(|t| t.words().to_owned()).collect()
        };
        assert_eq!(rows(&keys), words(&Twist::OF_KEYS));
        assert_eq!(rows(&tokens), words(&Twist::OF_TOKENS));
    }

    /// Each shell expression makes, with bash, exactly what `apply` makes.
    #[test]
    fn the_shell_expressions_make_the_same_twists() {
        for (original, twist) in [
            "shr_9f3a2b7c1e4d6a8f0b2c4d6e8f1a3b5cX",
            "9f3aB2c_d",
            "Tok3nX",
        ]
        .into_iter()
        .flat_map(|o| {
            Twist::OF_KEYS
                .iter()
                .chain(&Twist::OF_TOKENS)
                .map(move |t| (o, t))
        }) {
            let script = format!("printf %s \"{}\"", twist.shell("ORIGINAL"));
            let output = std::process::Command::new("bash")
                .args(["-c", &script])
                .env("ORIGINAL", original)
                .env("LC_ALL", "C.UTF-8")
                .output()
                .expect("bash runs");
            let made = String::from_utf8_lossy(&output.stdout);
            let expected = match twist {
                Twist::SpaceAppended => format!("{original}%20"),
                other => other.apply(original),
            };
            assert_eq!(made, expected, "{twist:?}: {script}");
        }
    }
}

//! Which scenarios a run runs: a tag expression and a name filter, and what the selection
//! needs read around the first save.

use cucumber::gherkin::{self, tagexpr::TagOperation};
use cucumber::tag::Ext as _;

use crate::error::Error;
use crate::steps::Needs;
use crate::suite::catalogue::{AFTER_THE_REST_TAG, LIBRARY_TAG, RESOLVE_TAG, clause_ids};
use crate::suite::{Suite, all_tags};

/// A cucumber tag expression, parsed (`@clause:SAVE-201-CREATED and not @resolve`).
#[derive(Debug, Clone)]
pub(crate) struct TagFilter {
    text: String,
    op: TagOperation,
}

impl TagFilter {
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        let op = text.parse::<TagOperation>().map_err(|e| Error::Tags {
            expression: text.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            text: text.to_owned(),
            op,
        })
    }

    /// The expression as given.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    fn matches(&self, tags: &[&String]) -> bool {
        self.op.eval(tags.iter().map(|t| t.as_str()))
    }
}

/// The filters of a run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    pub(crate) tags: Option<TagFilter>,
    pub(crate) name_contains: Option<String>,
}

/// The two passes of a run: every scenario but those tagged `@after-the-rest`, then those (the
/// revoke lifecycle revokes the live share every other scenario uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Everything else.
    Main,
    /// After the rest.
    AfterTheRest,
}

impl Pass {
    /// Both passes, in order.
    pub(crate) const ALL: [Pass; 2] = [Pass::Main, Pass::AfterTheRest];

    /// Whether a scenario with these tags runs in this pass.
    pub(crate) fn holds(self, tags: &[&String]) -> bool {
        let late = tags.iter().any(|t| *t == AFTER_THE_REST_TAG);
        late == (self == Pass::AfterTheRest)
    }
}

impl Selection {
    /// Whether the scenario is selected.
    pub(crate) fn selects(
        &self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
    ) -> bool {
        let tags_ok = self
            .tags
            .as_ref()
            .is_none_or(|filter| filter.matches(&all_tags(feature, rule, scenario)));
        let name_ok = self
            .name_contains
            .as_deref()
            .is_none_or(|needle| scenario.name.contains(needle));
        tags_ok && name_ok
    }

    /// How many scenarios of `suite` it selects; none is an error, since the run would prove
    /// nothing.
    pub(crate) fn count(&self, suite: &Suite) -> Result<usize, Error> {
        let count = suite
            .scenarios()
            .filter(|s| self.selects(s.feature, s.rule, s.scenario))
            .count();
        if count > 0 {
            return Ok(count);
        }
        let mut filters = Vec::new();
        if let Some(tags) = &self.tags {
            filters.push(format!("the tag expression {:?}", tags.text));
        }
        if let Some(name) = &self.name_contains {
            filters.push(format!("the name filter {name:?}"));
        }
        let mut tags: Vec<String> = suite
            .scenarios()
            .flat_map(|s| s.tags().into_iter().cloned())
            .filter(|t| clause_ids([t]).is_empty() && *t != AFTER_THE_REST_TAG)
            .collect();
        tags.sort();
        tags.dedup();
        Err(Error::NothingSelected { filters, tags })
    }

    /// What the selected scenarios read around the run's first save: the public view for
    /// `@resolve` scenarios, the library (and the refused saves) for `@library` ones.
    pub(crate) fn needs(&self, suite: &Suite) -> Needs {
        let mut needs = Needs::default();
        for sc in suite
            .scenarios()
            .filter(|s| self.selects(s.feature, s.rule, s.scenario))
        {
            let tags = sc.tags();
            needs.view |= tags.iter().any(|t| *t == RESOLVE_TAG);
            needs.library |= tags.iter().any(|t| *t == LIBRARY_TAG);
        }
        needs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_that_selects_nothing_is_an_error_naming_the_tags() {
        let suite = Suite::embedded().unwrap();
        let selection = Selection {
            tags: Some(TagFilter::parse("@does-not-exist").unwrap()),
            name_contains: None,
        };
        let Err(Error::NothingSelected { filters, tags }) = selection.count(&suite) else {
            panic!("selected something");
        };
        assert_eq!(filters, ["the tag expression \"@does-not-exist\""]);
        assert!(tags.contains(&"resolve".to_owned()), "{tags:?}");
        assert!(TagFilter::parse("@a and").is_err());
        let all = Selection::default();
        assert_eq!(all.count(&suite).unwrap(), suite.scenarios().count());
        assert!(all.needs(&suite).view && all.needs(&suite).library);
        let no_resolve = Selection {
            tags: Some(TagFilter::parse("not @resolve").unwrap()),
            name_contains: None,
        };
        assert!(!no_resolve.needs(&suite).view);
    }
}

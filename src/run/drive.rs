//! Driving cucumber: the suite's features, the steps, the selection and the hooks that hand
//! each scenario the run's context, with nothing retried.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cucumber::gherkin;
use cucumber::writer::Ext as _;
use cucumber::{World as _, cli, parser, runner};
use futures::FutureExt as _;

use super::Progress;
use super::quiet_panics;
use super::results::{ResultsWriter, UsedExchanges};
use super::select::{Pass, Selection};
use crate::known::KnownOn;
use crate::report::{ScenarioId, ScenarioResult};
use crate::steps::{ConformanceWorld, Context};
use crate::suite::{Suite, all_tags, feature_path};

/// How one pass over the selected scenarios runs.
pub(crate) struct Drive<'a> {
    pub(crate) suite: &'a Suite,
    pub(crate) selection: &'a Selection,
    pub(crate) concurrency: usize,
    pub(crate) verbosity: u8,
    /// Print nothing per scenario (repetitions print a tally instead).
    pub(crate) quiet: bool,
    /// The known failures, if the run has them.
    pub(crate) known: Option<KnownOn<'a>>,
    /// Which pass this is.
    pub(crate) pass: Pass,
}

/// The scenarios' notes, handed from the `after` hook (which sees the World) to the results.
type Notes = Arc<Mutex<HashMap<ScenarioId, Vec<String>>>>;

impl Drive<'_> {
    /// Runs the selected scenarios once, with `ctx`, and returns their results.
    pub(crate) async fn scenarios(
        &self,
        ctx: Arc<Context>,
        progress: &mut Progress,
    ) -> Vec<ScenarioResult> {
        let features: Vec<gherkin::Feature> = self.suite.features().to_vec();
        let notes: Notes = Arc::default();
        let notes_in_hook = notes.clone();
        let used: UsedExchanges = Arc::default();
        let used_in_hook = used.clone();
        let selection = self.selection.clone();
        let pass = self.pass;
        let evidence = ctx.http.recorder().clone();
        let recorder = ResultsWriter::new(
            progress,
            self.quiet,
            self.verbosity,
            used,
            evidence,
            self.known,
        );
        let cucumber = cucumber::Cucumber::<_, _, _, _, _, cli::Empty>::custom(
            EmbeddedParser { features },
            runner::Basic::default(),
            recorder.normalized(),
        )
        .steps(ConformanceWorld::collection())
        .max_concurrent_scenarios(self.concurrency)
        // A `@retry(n)` tag would rerun a failing scenario until it passes and hide a flaky
        // server: nothing is retried (flakiness is measured with --repeat instead).
        .retry_options(|_, _, _, _| None)
        .before(move |feature, _, scenario, world| {
            let id = ScenarioId {
                feature: feature_path(feature),
                line: scenario.position.line,
            };
            world.attach(ctx.clone(), id.to_string());
            async {}.boxed_local()
        })
        .after(move |feature, rule, scenario, _, world| {
            if let Some(world) = world {
                let id = ScenarioId {
                    feature: feature_path(feature),
                    line: scenario.position.line,
                };
                let taken = std::mem::take(&mut world.notes);
                if !taken.is_empty() {
                    notes_in_hook
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(id.clone(), taken);
                }
                let mut ids = std::mem::take(&mut world.used);
                ids.extend(world.bracket_reads(&all_tags(feature, rule, scenario)));
                used_in_hook
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(id, ids);
            }
            async {}.boxed_local()
        })
        .with_cli(cli::Opts::<_, _, _, cli::Empty>::default())
        .filter_run((), move |feature, rule, scenario| {
            selection.selects(feature, rule, scenario)
                && pass.holds(&all_tags(feature, rule, scenario))
        });
        quiet_panics::install();
        let writer = quiet_panics::Polled::new(cucumber).await;
        quiet_panics::install();

        let notes = std::mem::take(&mut *notes.lock().unwrap_or_else(|p| p.into_inner()));
        let mut results = writer.inner_writer().results().to_vec();
        for result in &mut results {
            if let Some(n) = notes.get(&result.id) {
                result.notes.clone_from(n);
            }
        }
        results
    }
}

/// Feeds cucumber the suite's features, already parsed and expanded.
struct EmbeddedParser {
    features: Vec<gherkin::Feature>,
}

impl cucumber::Parser<()> for EmbeddedParser {
    type Cli = cli::Empty;
    type Output = futures::stream::Iter<std::vec::IntoIter<parser::Result<gherkin::Feature>>>;

    fn parse(self, (): (), _: cli::Empty) -> Self::Output {
        futures::stream::iter(self.features.into_iter().map(Ok).collect::<Vec<_>>())
    }
}

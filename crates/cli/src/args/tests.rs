use super::*;

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("share-conformance").chain(args.iter().copied()))
}

fn plan(args: &[&str], env: &Environment) -> anyhow::Result<(TargetChoice, RunPlan)> {
    let Command::Run(run) = parse(args).unwrap().command else {
        panic!("not a run")
    };
    run.plan(env)
}

fn remote(args: &[&str], env: &Environment) -> Target {
    match plan(args, env).unwrap().0 {
        TargetChoice::Remote(target) => *target,
        TargetChoice::Embedded => panic!("embedded"),
    }
}

/// Whether `target` holds `key`: its redactor masks exactly the keys it holds.
fn holds(target: &Target, key: &str) -> bool {
    target.redactor().redact(key) != key
}

#[test]
fn bad_numbers_are_usage_errors() {
    for args in [
        ["run", "--timeout", "0"],
        ["run", "--timeout", "abc"],
        ["run", "--timeout", "NaN"],
        ["run", "--concurrency", "0"],
        ["run", "--repeat", "0"],
    ] {
        let err = parse(&args).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{args:?}");
    }
}

#[test]
fn the_key_comes_from_the_flag_then_the_environment_then_the_fixtures() {
    let env = Environment {
        api_key: Some("ak_from_env".into()),
        sharer_api_key: None,
    };
    let url = "http://127.0.0.1:1";
    let flag = remote(&["run", "--base-url", url, "--api-key", "ak_flag"], &env);
    assert!(holds(&flag, "ak_flag") && !holds(&flag, "ak_from_env"));
    let from_env = remote(&["run", "--base-url", url], &env);
    assert!(holds(&from_env, "ak_from_env"));
    let none = remote(&["run", "--base-url", url], &Environment::default());
    assert!(!holds(&none, "ak_from_env") && !holds(&none, "ak_flag"));
}

#[test]
fn embedded_runs_refuse_a_key_or_fixtures_they_would_ignore() {
    let env = Environment::default();
    assert!(matches!(
        plan(&["run"], &env).unwrap().0,
        TargetChoice::Embedded
    ));
    for (args, needs) in [
        (
            &["run", "--api-key", "ak_x"][..],
            "--api-key needs --base-url",
        ),
        (
            &["run", "--fixtures", "f.toml"][..],
            "--fixtures needs --base-url",
        ),
        (&["run", "--insecure"][..], "--insecure needs --base-url"),
        (
            &["run", "--track", "mtrack_1"][..],
            "--track is only used with --provision",
        ),
    ] {
        let err = plan(args, &env).unwrap_err();
        assert!(err.to_string().contains(needs), "{args:?}: {err}");
    }
    // The environment's key is simply not used for the embedded server.
    let env = Environment {
        api_key: Some("ak_env".into()),
        sharer_api_key: None,
    };
    assert!(plan(&["run"], &env).is_ok());
}

#[test]
fn library_errors_name_the_flag_and_never_echo_the_key() {
    let env = Environment::default();
    let err = plan(
        &[
            "run",
            "--base-url",
            "http://h",
            "--api-key",
            "ak_bad key_zzz",
        ],
        &env,
    )
    .unwrap_err();
    let text = format!("{err:#}");
    assert!(text.starts_with("--api-key: "), "{text}");
    assert!(!text.contains("zzz"), "{text}");

    let err = plan(&["run", "--base-url", "ftp://h"], &env).unwrap_err();
    assert!(
        err.to_string().starts_with("--base-url \"ftp://h\""),
        "{err}"
    );

    let (target, settings) = plan(&["run", "--tags", "@a and"], &env).unwrap();
    assert!(matches!(target, TargetChoice::Embedded));
    let fixtures = Fixtures::default();
    let target = Target::new("http://127.0.0.1:1", fixtures).unwrap();
    let err = settings.apply(target).err().expect("a bad tag expression");
    assert!(
        err.to_string()
            .starts_with("--tags \"@a and\" is not a tag expression"),
        "{err}"
    );

    let plain = flag_error(Error::PlainHttp {
        host: "example.com".into(),
    });
    assert!(
        plain.to_string().contains("--allow-insecure-http"),
        "{plain}"
    );
    let setting = flag_error(Error::Setting {
        name: "timeout",
        reason: "must be more than zero".into(),
    });
    assert_eq!(setting.to_string(), "--timeout must be more than zero");
}

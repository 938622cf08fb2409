use super::*;

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn ok(text: &str) -> Parsed {
    parse(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
}

#[test]
fn sub_commands_and_their_arguments() {
    let date = When::Date(d("2026-12-15"));
    let table: Vec<(&str, Command)> = vec![
        ("", Command::Help),
        ("help", Command::Help),
        ("aide", Command::Help),
        ("status ACME", Command::Status { client: "ACME".into() }),
        ("STATUS société générale", Command::Status { client: "société générale".into() }),
        ("statut 552 120 222", Command::Status { client: "552 120 222".into() }),
        (
            "pause Garage Martin 30",
            Command::Pause { client: "Garage Martin".into(), until: When::Days(30), reason: None },
        ),
        (
            "pause Garage Martin 2026-12-15",
            Command::Pause { client: "Garage Martin".into(), until: date, reason: None },
        ),
        (
            "pause C042 15/12/2026 virement en cours",
            Command::Pause { client: "C042".into(), until: date, reason: Some("virement en cours".into()) },
        ),
        (
            "pause Boulangerie Émile 15/12",
            Command::Pause {
                client: "Boulangerie Émile".into(),
                until: When::DayMonth { day: 15, month: 12 },
                reason: None,
            },
        ),
        ("pause Garage 2000 7j", Command::Pause { client: "Garage 2000".into(), until: When::Days(7), reason: None }),
        ("resume Garage Martin", Command::Resume { client: "Garage Martin".into() }),
        ("reprendre ACME", Command::Resume { client: "ACME".into() }),
        (
            "promise F-2026-001 15/12",
            Command::Promise { invoice: "F-2026-001".into(), by: When::DayMonth { day: 15, month: 12 } },
        ),
        (
            "dispute F-2026-001 livraison incomplète",
            Command::Dispute { invoice: "F-2026-001".into(), reason: "livraison incomplète".into() },
        ),
        ("litige F-1 prix contesté", Command::Dispute { invoice: "F-1".into(), reason: "prix contesté".into() }),
        ("resolve F-2026-001", Command::Resolve { invoice: "F-2026-001".into() }),
        ("résoudre F-1", Command::Resolve { invoice: "F-1".into() }),
        ("digest", Command::Digest),
    ];
    for (text, command) in table {
        assert_eq!(ok(text), Parsed { command, public: false }, "{text:?}");
    }
}

#[test]
fn public_anywhere_makes_the_answer_public() {
    for text in ["status ACME --public", "--public status ACME", "status --PUBLIC ACME"] {
        assert_eq!(ok(text), Parsed { command: Command::Status { client: "ACME".into() }, public: true }, "{text}");
    }
}

#[test]
fn mistakes_say_what_is_missing_or_wrong() {
    let missing = |command, what| Err(UsageError::Missing { command, what });
    assert_eq!(parse("status"), missing("status", Missing::Client));
    assert_eq!(parse("pause"), missing("pause", Missing::Client));
    assert_eq!(parse("pause Garage Martin"), missing("pause", Missing::DaysOrDate));
    assert_eq!(parse("pause 30"), missing("pause", Missing::Client));
    assert_eq!(parse("promise F-1"), missing("promise", Missing::Date));
    assert_eq!(parse("promise F-1 31/02/2026"), Err(UsageError::BadDate("31/02/2026".into())));
    assert_eq!(parse("promise F-1 demain"), Err(UsageError::BadDate("demain".into())));
    assert_eq!(parse("dispute F-1"), missing("dispute", Missing::Reason));
    assert_eq!(parse("resolve F-1 F-2"), Err(UsageError::Extra { command: "resolve", words: "F-2".into() }));
    assert_eq!(parse("digest now"), Err(UsageError::Extra { command: "digest", words: "now".into() }));
    assert_eq!(parse("approve F-1"), Err(UsageError::Unknown("approve".into())));
    assert_eq!(parse("pause Garage Martin 400"), missing("pause", Missing::DaysOrDate), "400 days is no pause");
    let text = parse("dispute F-1").unwrap_err().text(Language::Fr);
    assert_eq!(text, "« dispute » : il manque le motif.");
    assert_eq!(
        parse("status").unwrap_err().text(Language::En),
        "\"status\": the client (id, SIREN or name) is missing."
    );
}

#[test]
fn days_and_dates_without_a_year_are_read_from_today() {
    let today = d("2026-03-16");
    assert_eq!(When::Days(7).resolve(today), d("2026-03-22"), "seven days counting today");
    assert_eq!(When::Days(1).resolve(today), today);
    assert_eq!(When::DayMonth { day: 15, month: 12 }.resolve(today), d("2026-12-15"));
    assert_eq!(When::DayMonth { day: 1, month: 2 }.resolve(today), d("2027-02-01"), "already passed: next year");
    assert_eq!(When::DayMonth { day: 16, month: 3 }.resolve(today), today);
    assert_eq!(When::DayMonth { day: 29, month: 2 }.resolve(today), d("2028-02-29"));
}

#[test]
fn an_instalment_plan_is_asked_for_an_invoice_or_a_client_and_decided_by_number() {
    let plan = |target: &str, count, first| Command::Echeancier {
        target: target.into(),
        count,
        first,
        frequency: Frequency::Monthly,
    };
    let weekly = |target: &str, count, first| Command::Echeancier {
        target: target.into(),
        count,
        first,
        frequency: Frequency::Weekly,
    };
    let dec_15 = Some(When::DayMonth { day: 15, month: 12 });
    let cases = [
        ("echeancier F-2026-001 3", Ok(plan("F-2026-001", 3, None))),
        ("échéancier Garage Martin 4 15/12", Ok(plan("Garage Martin", 4, Some(When::DayMonth { day: 15, month: 12 })))),
        ("plan ACME 2 2026-04-05", Ok(plan("ACME", 2, Some(When::Date(NaiveDate::from_ymd_opt(2026, 4, 5).unwrap()))))),
        ("echeancier F-1 4 15/12 hebdo", Ok(weekly("F-1", 4, dec_15))),
        ("echeancier Garage Martin 4 Hebdomadaire 15/12", Ok(weekly("Garage Martin", 4, dec_15))),
        ("échéancier ACME 6 weekly", Ok(weekly("ACME", 6, None))),
        ("echeancier ACME 6 mensuel", Ok(plan("ACME", 6, None))),
        ("echeancier weekly 3", Ok(plan("weekly", 3, None))),
        ("echeancier ACME weekly", Err(UsageError::Missing { command: "echeancier", what: Missing::Count })),
        ("echeancier approve 7", Ok(Command::DecidePlan { plan: 7, approve: true })),
        ("échéancier refuser n°7", Ok(Command::DecidePlan { plan: 7, approve: false })),
        ("echeancier", Err(UsageError::Missing { command: "echeancier", what: Missing::Client })),
        ("echeancier ACME", Err(UsageError::Missing { command: "echeancier", what: Missing::Count })),
        ("echeancier 3", Err(UsageError::Missing { command: "echeancier", what: Missing::Client })),
        ("echeancier approve", Err(UsageError::Missing { command: "echeancier", what: Missing::Plan })),
        ("echeancier ACME 3 32/13", Err(UsageError::BadDate("32/13".into()))),
    ];
    for (text, expected) in cases {
        assert_eq!(parse(text).map(|p| p.command), expected, "{text}");
    }
}

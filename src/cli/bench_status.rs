//! `relance bench status`: how long `/relance status <client>` takes on a
//! large ledger (issue 5: p99 under 50 ms on 100,000 clients and 1,000,000
//! invoices), with SQLite.
//!
//! The synthetic ledger of `relance bench` is given French company names
//! (accents, several words, many sharing a word) and SIRENs, imported once,
//! then queried four ways — by id, by exact name, by a name typed without
//! accents and with a typo, by SIREN with spaces — first through
//! `commands::answer` (what every platform calls), then as signed Slack
//! commands over loopback HTTP, one at a time. Each answer must name the
//! client asked for: a fast wrong answer would measure nothing.

use super::bench::{write_synthetic, BENCH_DAY};
use super::bench_clicks::{bench_clock, bench_config, import_synthetic, ms, percentile, sign, FINANCE_SLACK_ID};
use crate::commands::answer;
use crate::people::Platform;
use crate::serve::{self, Services};
use chrono::NaiveDate;
use clap::Args;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[arg(long, default_value_t = 100_000)]
    pub clients: usize,
    #[arg(long, default_value_t = 1_000_000)]
    pub invoices: usize,
    /// Status commands measured per kind of query (id, name, typo, SIREN).
    #[arg(long, default_value_t = 500)]
    pub queries: usize,
}

const PREFIXES: [&str; 30] = [
    "Boulangerie",
    "Garage",
    "Menuiserie",
    "Société",
    "Atelier",
    "Cabinet",
    "Pharmacie",
    "Hôtel",
    "Café",
    "Imprimerie",
    "Plomberie",
    "Électricité",
    "Transports",
    "Librairie",
    "Fromagerie",
    "Charpente",
    "Boucherie",
    "Quincaillerie",
    "Pâtisserie",
    "Serrurerie",
    "Agence",
    "Clinique",
    "Épicerie",
    "Brasserie",
    "Laboratoire",
    "Carrosserie",
    "Ébénisterie",
    "Maçonnerie",
    "Couverture",
    "Tôlerie",
];
const SURNAMES: [&str; 60] = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Gaillard",
];
const CITIES: [&str; 60] = [
    "Paris",
    "Lyon",
    "Marseille",
    "Toulouse",
    "Nice",
    "Nantes",
    "Strasbourg",
    "Montpellier",
    "Bordeaux",
    "Lille",
    "Rennes",
    "Reims",
    "Saint-Étienne",
    "Toulon",
    "Grenoble",
    "Dijon",
    "Angers",
    "Nîmes",
    "Villeurbanne",
    "Clermont-Ferrand",
    "Le Mans",
    "Aix-en-Provence",
    "Brest",
    "Tours",
    "Amiens",
    "Limoges",
    "Annecy",
    "Perpignan",
    "Besançon",
    "Orléans",
    "Metz",
    "Rouen",
    "Mulhouse",
    "Caen",
    "Nancy",
    "Argenteuil",
    "Roubaix",
    "Tourcoing",
    "Avignon",
    "Poitiers",
    "Versailles",
    "Pau",
    "Créteil",
    "La Rochelle",
    "Calais",
    "Cannes",
    "Béziers",
    "Colmar",
    "Bourges",
    "Mérignac",
    "Ajaccio",
    "Valence",
    "Quimper",
    "Troyes",
    "Chambéry",
    "Niort",
    "Lorient",
    "Sète",
    "Vannes",
    "Évreux",
];

/// A French company name: `Boulangerie Lefèvre Orléans`. Unique up to
/// 108,000 clients; beyond, names repeat (as homonyms do).
pub fn company_name(i: usize) -> String {
    let prefix = PREFIXES[i % PREFIXES.len()];
    let surname = SURNAMES[(i / PREFIXES.len()) % SURNAMES.len()];
    let city = CITIES[(i / (PREFIXES.len() * SURNAMES.len())) % CITIES.len()];
    format!("{prefix} {surname} {city}")
}

/// A valid SIREN (Luhn key) per client, all different.
fn siren(i: usize) -> String {
    let base = format!("{:08}", 30_000_000 + i * 7);
    (0..10)
        .map(|key| format!("{base}{key}"))
        .find(|s| crate::domain::Siren::parse(s).is_ok())
        .expect("one key digit makes the Luhn sum right")
}

/// `clients.csv` again, with company names and SIRENs.
fn write_named_clients(dir: &Path, clients: usize) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("clients.csv"))?);
    writeln!(out, "client_id,name,email,phone,segment,owner,language,kind,siren")?;
    for i in 0..clients {
        let segment = if i % 20 == 0 { "strategic" } else { "standard" };
        let name = company_name(i);
        writeln!(out, "C{i:06},{name},compta{i}@example.fr,,{segment},rep{},fr,b2b,{}", i % 50, siren(i))?;
    }
    out.flush()?;
    Ok(())
}

/// The four kinds of query, for client `i`.
fn queries(i: usize) -> [(&'static str, String); 4] {
    let folded = crate::lookup::fold(&company_name(i));
    let mut words: Vec<String> = folded.split(' ').map(str::to_string).collect();
    // A typo in the longest word: two letters in its middle swapped.
    let longest = (0..words.len()).max_by_key(|w| words[*w].len()).unwrap_or(0);
    let mut letters: Vec<char> = words[longest].chars().collect();
    let mid = letters.len() / 2;
    if letters.len() >= 4 {
        letters.swap(mid - 1, mid);
    }
    words[longest] = letters.into_iter().collect();
    let siren = siren(i);
    [
        ("id", format!("status C{i:06}")),
        ("exact name", format!("status {}", company_name(i))),
        ("typo, no accents", format!("status {}", words.join(" "))),
        ("SIREN with spaces", format!("status {} {} {}", &siren[..3], &siren[3..6], &siren[6..])),
    ]
}

pub async fn run(args: &StatusArgs) -> anyhow::Result<()> {
    let today = NaiveDate::from_ymd_opt(BENCH_DAY.0, BENCH_DAY.1, BENCH_DAY.2).expect("valid day");
    let temp = tempfile::tempdir()?;
    let dir = temp.path();
    let clock = bench_clock(today)?;
    println!("relance bench status: {} clients, {} open invoices, on {today}", args.clients, args.invoices);
    let started = Instant::now();
    write_synthetic(dir, args.clients, args.invoices, today)?;
    write_named_clients(dir, args.clients)?;
    println!("  data generated in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let store = import_synthetic(dir, clock).await?;
    println!("  imported in {:.1} s (SQLite, {})", started.elapsed().as_secs_f64(), dir.display());
    let secret = format!("{:032x}", fastrand::u128(..));
    let svc = Services::new(bench_config(dir, "http://127.0.0.1:9/api", &secret)?, clock, store)?;
    let started = Instant::now();
    let index = svc.clients.get(svc.store.as_ref()).await?;
    println!("  client index: {} clients in {:.2} s (once, at start)", index.len(), started.elapsed().as_secs_f64());

    let mut rng = fastrand::Rng::with_seed(11);
    let picked: Vec<usize> = (0..args.queries).map(|_| rng.usize(0..args.clients.min(108_000))).collect();
    let mut all = Vec::new();
    println!("  through commands::answer, one at a time:");
    for kind in 0..4 {
        let mut times = Vec::with_capacity(picked.len());
        let mut wrong = 0;
        for &i in &picked {
            let (_, text) = &queries(i)[kind];
            let started = Instant::now();
            let reply = answer(&svc, Platform::Slack, FINANCE_SLACK_ID, text).await;
            times.push(started.elapsed());
            wrong += usize::from(!reply.title.ends_with(&format!("C{i:06}")));
        }
        report(queries(0)[kind].0, &mut times, wrong);
        all.extend(times);
    }
    report("all", &mut all, 0);
    over_http(&svc, &secret, &picked).await
}

/// The same queries as signed Slack commands to the real server on loopback.
async fn over_http(svc: &std::sync::Arc<Services>, secret: &str, picked: &[usize]) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let running = serve::start(svc.clone(), listener, false)?;
    let url = format!("http://{}/slack/commands", running.addr);
    let http = reqwest::Client::new();
    let mut times = Vec::new();
    let mut wrong = 0;
    for (n, &i) in picked.iter().enumerate() {
        let (_, text) = &queries(i)[n % 4];
        let body = serde_urlencoded::to_string([
            ("team_id", "T0BENCH"),
            ("channel_id", "C0BENCH01"),
            ("user_id", FINANCE_SLACK_ID),
            ("command", "/relance"),
            ("text", text),
            ("response_url", "http://127.0.0.1:9/response"),
        ])?;
        let ts = chrono::Utc::now().timestamp().to_string();
        let started = Instant::now();
        let answer = http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", &ts)
            .header("x-slack-signature", sign(secret, &ts, &body))
            .body(body)
            .send()
            .await?
            .text()
            .await?;
        times.push(started.elapsed());
        wrong += usize::from(!answer.contains(&format!("C{i:06}")));
    }
    println!("  as signed Slack commands over loopback HTTP, one at a time (mixed kinds):");
    report("all", &mut times, wrong);
    running.stop().await
}

fn report(label: &str, times: &mut [Duration], wrong: usize) {
    times.sort_unstable();
    let q = |p| ms(percentile(times, p));
    println!(
        "    {label:<18} n={:<5} p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms{}",
        times.len(),
        q(0.50),
        q(0.90),
        q(0.99),
        ms(times.last().copied().unwrap_or_default()),
        if wrong > 0 { format!("  ({wrong} not answered with that client)") } else { String::new() }
    );
}

//! A realistic French demo ledger, generated for any day.
//!
//! The demo is built relative to `today` so that the first run always shows a
//! full digest: invoices at every stage of the ladder, a strategic client,
//! a chronic late payer, consumers, a dispute, a promise, a pause, an English
//! speaking client and a USD invoice. The reminders already sent are not
//! invented: the command replays the planner over the past months. It is written as the CSV files a French
//! SME would export (semicolons, `01/03/2026`, `2 400,00`) and goes through the
//! real import, so the demo also shows the import at work.

use crate::domain::{ClientId, Currency, InvoiceNumber};
use crate::ledger::Hold;
use crate::store::HoldTarget;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use std::fmt::Write;

/// The demo's files and the history to record after importing them.
pub struct DemoLedger {
    pub clients_csv: String,
    pub invoices_csv: String,
    pub payments_csv: String,
    pub holds: Vec<(HoldTarget, Hold)>,
    pub client_count: usize,
    pub invoice_count: usize,
}

/// How a client pays: the delay range (days after the due date) of its payments.
#[derive(Clone, Copy, PartialEq)]
enum Habit {
    Punctual,
    Slow,
    Chronic,
}

struct DemoClient {
    id: &'static str,
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    strategic: Option<&'static str>,
    b2c: bool,
    english: bool,
    habit: Habit,
}

const fn c(id: &'static str, name: &'static str, email: &'static str, phone: &'static str) -> DemoClient {
    DemoClient { id, name, email, phone, strategic: None, b2c: false, english: false, habit: Habit::Slow }
}

const fn strategic(mut d: DemoClient, owner: &'static str) -> DemoClient {
    d.strategic = Some(owner);
    d
}

const fn habit(mut d: DemoClient, habit: Habit) -> DemoClient {
    d.habit = habit;
    d
}

const fn b2c(mut d: DemoClient) -> DemoClient {
    d.b2c = true;
    d
}

const fn english(mut d: DemoClient) -> DemoClient {
    d.english = true;
    d
}

const CLIENTS: [DemoClient; 40] = [
    strategic(c("ACME", "ACME Industries SAS", "compta@acme-industries.fr", "01 45 67 89 10"), "Julie Bernard"),
    strategic(c("C002", "Groupe Hôtelier Riviera", "fournisseurs@riviera-hotels.fr", "04 93 12 34 56"), "Marc Petit"),
    strategic(
        habit(c("C003", "Société Générale d'Équipement", "ap@sge-equipement.fr", "03 20 11 22 33"), Habit::Punctual),
        "Julie Bernard",
    ),
    habit(c("C004", "Transports Lefèvre & Fils", "direction@transports-lefevre.fr", "06 12 34 56 78"), Habit::Chronic),
    habit(c("C005", "Boulangerie Émile Durand", "emile.durand@orange.fr", "06 23 45 67 89"), Habit::Punctual),
    c("C006", "Menuiserie Garnier", "contact@menuiserie-garnier.fr", "02 99 45 12 78"),
    c("C007", "Cabinet d'architectes Moreau", "admin@moreau-archi.fr", "01 42 56 78 90"),
    habit(c("C008", "Pharmacie du Marché", "pharmacie.marche@gmail.com", "05 56 23 45 67"), Habit::Punctual),
    c("C009", "Garage Rousseau Automobiles", "garage.rousseau@wanadoo.fr", "02 40 12 34 56"),
    c("C010", "Imprimerie Lambert", "compta@imprimerie-lambert.fr", "03 83 45 67 89"),
    english(c("C011", "Thames Digital Ltd", "accounts@thamesdigital.co.uk", "+44 20 7946 0958")),
    c("C012", "Fromagerie des Alpes", "fromagerie.alpes@laposte.net", "04 79 33 44 55"),
    habit(c("C013", "Clinique Vétérinaire Saint-Roch", "accueil@veto-saintroch.fr", "04 67 22 33 44"), Habit::Punctual),
    c("C014", "Agence Voyages Horizon", "finance@horizon-voyages.fr", "01 53 44 55 66"),
    c("C015", "BTP Mercier Construction", "comptabilite@btp-mercier.fr", "05 61 77 88 99"),
    habit(c("C016", "Librairie Le Chat Qui Lit", "contact@chatquilit.fr", "02 35 66 77 88"), Habit::Chronic),
    c("C017", "Domaine Viticole Fabre", "domaine.fabre@vins-fabre.fr", "04 66 55 44 33"),
    c("C018", "Cabinet Dentaire Blanc", "secretariat@dentaire-blanc.fr", "01 46 33 22 11"),
    strategic(c("C019", "Mairie de Villeneuve-sur-Lot", "finances@villeneuve.fr", "05 53 41 53 53"), "Marc Petit"),
    c("C020", "Atelier Couture Perrin", "atelier.perrin@free.fr", "04 78 12 13 14"),
    habit(c("C021", "Informatique Conseil Girard", "factures@girard-ic.fr", "01 39 87 65 43"), Habit::Punctual),
    c("C022", "Paysagiste Vert Tendre", "contact@vert-tendre.fr", "02 47 55 66 77"),
    c("C023", "Restaurant La Table de Lucie", "latabledelucie@gmail.com", "04 91 54 32 10"),
    c("C024", "Laboratoire Biomed Ouest", "ap@biomed-ouest.fr", "02 98 76 54 32"),
    c("C025", "Plomberie Chauffage Roux", "roux.plomberie@sfr.fr", "03 80 45 45 45"),
    english(habit(c("C026", "Nordic Design AB", "invoices@nordicdesign.se", "+46 8 123 456 78"), Habit::Punctual)),
    c("C027", "École de Musique Allegro", "direction@allegro-musique.fr", "05 49 88 77 66"),
    c("C028", "Salon de Coiffure Élégance", "elegance.coiffure@orange.fr", "03 26 12 34 56"),
    c("C029", "Électricité Fournier SARL", "fournier.elec@wanadoo.fr", "04 73 98 76 54"),
    c("C030", "Ferme Bio des Collines", "fermebio.collines@gmail.com", "05 65 43 21 09"),
    c("C031", "Studio Photo Lumière", "studio@photo-lumiere.fr", "01 48 87 65 43"),
    c("C032", "Association Sportive Montmartre", "tresorier@as-montmartre.fr", "01 42 52 62 72"),
    c("C033", "Coopérative Agricole du Berry", "compta@coop-berry.fr", "02 48 65 43 21"),
    c("C034", "Transports Express Bretagne", "facturation@teb-transports.fr", "02 97 12 12 12"),
    habit(c("C035", "Opticien Vision Plus", "visionplus@optic.fr", "03 88 45 67 89"), Habit::Chronic),
    b2c(c("P036", "M. Jean Dupont", "jean.dupont@gmail.com", "06 45 67 89 01")),
    b2c(habit(c("P037", "Mme Sophie Laurent", "sophie.laurent@yahoo.fr", "07 56 78 90 12"), Habit::Punctual)),
    b2c(c("P038", "M. et Mme Bertrand", "famille.bertrand@free.fr", "06 78 90 12 34")),
    b2c(c("P039", "Mme Nathalie Chevalier", "n.chevalier@laposte.net", "06 89 01 23 45")),
    c("C040", "Traiteur Saveurs d'Antan", "saveurs.antan@gmail.com", "04 75 44 33 22"),
];

const SERVICES: [&str; 10] = [
    "Maintenance annuelle des équipements",
    "Prestation de conseil — audit",
    "Fourniture de matériel",
    "Développement site web — lot 2",
    "Abonnement logiciel (trimestre)",
    "Installation et mise en service",
    "Formation des équipes (2 jours)",
    "Travaux de rénovation — acompte",
    "Campagne de communication",
    "Location de matériel",
];

/// Generates the demo ledger for `today` (deterministic: same day, same ledger).
pub fn generate(today: NaiveDate) -> DemoLedger {
    let mut rng = fastrand::Rng::with_seed(20_260_316);
    let mut clients_csv = String::from("client_id;name;email;cc;phone;segment;owner;language;kind;siren\n");
    let mut invoices_csv = String::from("number;client_id;issue_date;due_date;amount;currency;paid;description;pdf\n");
    let mut payments_csv = String::from("invoice;amount;date;reference\n");
    let mut demo = Builder { today, open: Vec::new() };
    let mut invoice_count = 0;
    for (index, client) in CLIENTS.iter().enumerate() {
        write_client(&mut clients_csv, client, index);
        let count = if client.habit == Habit::Chronic { 7 } else { 3 + rng.usize(0..4) };
        for n in 0..count {
            invoice_count += 1;
            let number = format!("F-{}-{:04}", today.format("%Y"), invoice_count);
            let spec = demo.invoice(&mut rng, client, n, count, &number);
            write_invoice(&mut invoices_csv, client, &number, &spec);
            if let Some((date, amount)) = spec.payment {
                let _ = writeln!(payments_csv, "{number};{};{};VIR {}", fr_amount(amount), fr_date(date), client.id);
            }
        }
    }
    demo.usd_invoice(&mut invoices_csv, &mut invoice_count);
    let holds = demo_holds(today, &demo.open);
    DemoLedger { clients_csv, invoices_csv, payments_csv, holds, client_count: CLIENTS.len(), invoice_count }
}

/// One generated invoice.
struct InvoiceSpec {
    issue: NaiveDate,
    due: NaiveDate,
    amount: Decimal,
    /// A dated payment (full or partial) before today.
    payment: Option<(NaiveDate, Decimal)>,
    description: &'static str,
}

struct Builder {
    today: NaiveDate,
    /// Open invoices: (client, number, due date, amount due, currency).
    open: Vec<(&'static str, String, NaiveDate, Decimal, Currency)>,
}

impl Builder {
    /// The n-th of `count` invoices of a client: spread over the last ~5 months,
    /// 30-day terms, paid according to the client's habit.
    fn invoice(
        &mut self,
        rng: &mut fastrand::Rng,
        client: &DemoClient,
        n: usize,
        count: usize,
        number: &str,
    ) -> InvoiceSpec {
        let age = 150 - (n as u64 * 140 / count as u64) - rng.u64(0..12);
        let issue = self.today - Days::new(age);
        let due = issue + Days::new(30);
        let cents = if client.b2c { rng.i64(9_000..180_000) } else { rng.i64(48_000..2_400_000) };
        let amount = Decimal::new(cents / 100 * 100, 2);
        let delay = match client.habit {
            Habit::Punctual => rng.i64(-5..4),
            Habit::Slow => rng.i64(-3..16),
            Habit::Chronic => rng.i64(35..70),
        };
        let paid_on = due.checked_add_signed(chrono::Duration::days(delay)).filter(|d| *d < self.today);
        let partial = rng.u8(0..10) == 0;
        let payment = match paid_on {
            Some(date) if partial => Some((date, (amount * Decimal::new(4, 1)).round_dp(2))),
            Some(date) => Some((date, amount)),
            None => None,
        };
        let open_amount = amount - payment.map(|p| p.1).unwrap_or_default();
        if open_amount > Decimal::ZERO {
            self.open.push((client.id, number.to_string(), due, open_amount, Currency::EUR));
        }
        InvoiceSpec { issue, due, amount, payment, description: SERVICES[rng.usize(0..SERVICES.len())] }
    }

    /// Thames Digital is billed in dollars too: a second proposal, same client.
    fn usd_invoice(&mut self, csv: &mut String, count: &mut usize) {
        *count += 1;
        let number = format!("F-{}-{:04}", self.today.format("%Y"), *count);
        let issue = self.today - Days::new(52);
        let due = issue + Days::new(30);
        let amount = Decimal::new(1_250_000, 2);
        let _ = writeln!(
            csv,
            "{number};C011;{};{};{};USD;0;Licences annuelles (USD);",
            fr_date(issue),
            fr_date(due),
            fr_amount(amount)
        );
        self.open.push(("C011", number, due, amount, Currency::parse("USD").expect("USD is a currency")));
    }
}

/// A dispute, a promise and a pause, so the digest shows what they stop.
fn demo_holds(
    today: NaiveDate,
    open: &[(&'static str, String, NaiveDate, Decimal, Currency)],
) -> Vec<(HoldTarget, Hold)> {
    let mut holds = Vec::new();
    if let Some((_, number, ..)) = open.iter().find(|o| o.0 == "C006") {
        let number = InvoiceNumber::parse(number).expect("valid");
        let dispute = Hold { dispute: Some("Livraison incomplète : 2 portes manquantes".into()), ..Hold::default() };
        holds.push((HoldTarget::Invoice(number), dispute));
    }
    let client = |id| HoldTarget::Client(ClientId::parse(id).expect("valid"));
    holds.push((client("C014"), Hold { promise_date: Some(today + Days::new(10)), ..Hold::default() }));
    holds.push((client("C027"), Hold { paused_until: Some(today + Days::new(14)), ..Hold::default() }));
    holds
}

fn write_client(csv: &mut String, client: &DemoClient, index: usize) {
    let segment = if client.strategic.is_some() { "strategic" } else { "standard" };
    let owner = client.strategic.unwrap_or(if index % 2 == 0 { "Julie Bernard" } else { "Marc Petit" });
    let language = if client.english { "en" } else { "fr" };
    let kind = if client.b2c { "b2c" } else { "b2b" };
    let siren = if client.b2c || client.english { String::new() } else { demo_siren(index) };
    let _ = writeln!(
        csv,
        "{};{};{};;{};{segment};{owner};{language};{kind};{siren}",
        client.id, client.name, client.email, client.phone
    );
}

fn write_invoice(csv: &mut String, client: &DemoClient, number: &str, spec: &InvoiceSpec) {
    let _ = writeln!(
        csv,
        "{number};{};{};{};{};EUR;0;{};",
        client.id,
        fr_date(spec.issue),
        fr_date(spec.due),
        fr_amount(spec.amount),
        spec.description
    );
}

/// A SIREN with a valid Luhn key: eight digits from the index, then the key.
fn demo_siren(index: usize) -> String {
    let body = format!("{:08}", 40_000_000 + index * 7_919);
    (0..10)
        .map(|key| format!("{body}{key}"))
        .find(|s| crate::domain::Siren::parse(s).is_ok())
        .expect("one key digit makes the Luhn sum right")
}

/// `2 400,00` as French Excel writes it (with a no-break space).
fn fr_amount(amount: Decimal) -> String {
    let text = format!("{:.2}", amount);
    let (units, cents) = text.split_once('.').expect("two decimals");
    let mut grouped = String::new();
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(ch);
    }
    format!("{grouped},{cents}")
}

fn fr_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_ledger_is_the_size_the_readme_promises() {
        let demo = generate(NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
        assert_eq!(demo.client_count, 40);
        assert!((150..=260).contains(&demo.invoice_count), "{}", demo.invoice_count);
        assert_eq!(demo.invoices_csv.lines().count(), demo.invoice_count + 1);
    }

    #[test]
    fn demo_amounts_are_written_the_french_way() {
        assert_eq!(fr_amount(Decimal::new(240_000, 2)), "2\u{a0}400,00");
        assert_eq!(fr_amount(Decimal::new(9_950, 2)), "99,50");
    }
}

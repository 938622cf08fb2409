//! `relance send`: one pass of the sender, then exit — for a cron of one's
//! own, for replaying a day with `--now`, and for tests. `relance serve`
//! runs the same pass every few seconds.

use super::App;
use crate::delivery::setup;

pub async fn run(app: App) -> anyhow::Result<()> {
    let templates = super::templates(&app.loaded.config)?;
    let worker = setup::worker(&app.loaded, app.store.clone(), app.clock, templates)?;
    eprintln!("relance send: {}", setup::describe(&worker));
    let pass = worker.run_pass().await?;
    if let Some(opens) = pass.closed_until {
        let local = opens.with_timezone(&app.clock.tz());
        println!(
            "Outside the sending window ({}): nothing sent; it opens {}.",
            worker.settings.window,
            local.format("%Y-%m-%d %H:%M")
        );
    }
    println!(
        "sent {}, retry later {}, failed {}, cancelled at send time {}, expired {}",
        pass.sent, pass.retried, pass.failed, pass.cancelled, pass.expired
    );
    if pass.lost > 0 {
        println!("{} result(s) recorded by another sender (our lease ran out)", pass.lost);
    }
    app.refresh_chat(&pass.touched).await;
    Ok(())
}

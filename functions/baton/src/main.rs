//! `baton`: the whole help desk in one process on SQLite (`baton serve`), one bot turn from the
//! shell (`baton ask`), and the operator's queue commands for working without the web. Every
//! setting comes from `desk::config` (the environment), and a flag given here wins over it; every
//! command builds its desk through `desk::app`, as `baton serve` and the Lambda functions do.
//!
//! `cli.rs` is the arguments, `serve.rs` the server, `commands.rs` the other commands.

/// mimalloc, not glibc's malloc: a search allocates many small strings and vectors, and the
/// search load of `scripts/load` served 23% more a second with it (5,670 against 4,620 req/s,
/// three runs each, same binary otherwise, 2026-12-07).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod bench_insights;
mod cli;
mod commands;
mod quality;
mod serve;

use std::sync::Arc;

use clap::Parser;
use cli::{Cli, Command};
use commands::open_desk;
use desk::model::Category;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("baton: {error:#}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { paths, addr } => {
            let mut config = paths.config()?;
            if let Some(addr) = addr {
                config.addr = addr;
            }
            serve::serve(config).await
        }
        Command::Ask {
            message,
            guides,
            index,
            lang,
            json,
        } => commands::ask(&message, guides, index, lang.as_deref(), json),
        Command::Insights {
            week,
            from,
            to,
            format,
            drafts,
            draft_count,
            send,
            db,
        } => {
            commands::insights(
                week,
                from.zip(to),
                format,
                drafts.map(|d| (d, draft_count)),
                send,
                db,
            )
            .await
        }
        Command::MailIn { recipients, paths } => {
            commands::mail_in(paths.config()?, recipients).await
        }
        Command::Queue {
            limit,
            cursor,
            paths,
        } => commands::queue(&open_desk(paths.config()?).await?, limit, cursor).await,
        Command::Case { id, paths } => {
            let view = open_desk(paths.config()?).await?.case(&id).await?;
            println!("{}", serde_json::to_string_pretty(&view)?);
            Ok(())
        }
        Command::Claim { id, who } => commands::print_case(
            open_desk(who.paths.config()?)
                .await?
                .claim(&id, &who.name())
                .await?,
        ),
        Command::Release { id, who } => commands::print_case(
            open_desk(who.paths.config()?)
                .await?
                .release(&id, &who.name())
                .await?,
        ),
        Command::Reply { id, text, who } => {
            let message = open_desk(who.paths.config()?)
                .await?
                .reply(&id, &who.name(), &text, None)
                .await?;
            println!("replied in {} as {}", message.conversation_id, who.name());
            Ok(())
        }
        Command::Note { id, text, who } => {
            open_desk(who.paths.config()?)
                .await?
                .note(&id, &who.name(), &text)
                .await?;
            println!("noted on {id}");
            Ok(())
        }
        Command::Eval {
            sets,
            model,
            plot,
            misses,
            baseline,
            answer_at,
            clarify_at,
            meaning,
            turns,
        } => {
            let default = desk::bot::Policy::default();
            let policy = desk::bot::Policy {
                answer_at: answer_at.unwrap_or(default.answer_at),
                clarify_at: clarify_at.unwrap_or(default.clarify_at),
                ..default
            };
            quality::eval(
                &sets,
                model.as_deref(),
                &policy,
                &meaning,
                &quality::Outputs {
                    plot: plot.as_deref(),
                    misses,
                    baseline,
                    turns: turns.as_deref(),
                },
            )
        }
        Command::Calibrate { sets, out, meaning } => quality::calibrate(&sets, &out, &meaning),
        Command::Bench {
            queries,
            handoffs,
            paths,
        } => {
            let (kb, encoder) = commands::knowledge_base(&paths.config()?)?;
            bench::run(Arc::new(kb), encoder, &queries, handoffs).await
        }
        Command::BenchInsights {
            days,
            per_day,
            dynamo_full,
            paths,
        } => {
            bench_insights::run(
                Arc::new(commands::knowledge_base(&paths.config()?)?.0),
                days,
                per_day,
                dynamo_full,
            )
            .await
        }
        Command::Resolve {
            id,
            note,
            category,
            follow_up,
            who,
        } => {
            let category = category
                .map(|c| c.replace('-', "_").parse::<Category>())
                .transpose()
                .map_err(anyhow::Error::msg)?;
            commands::print_case(
                open_desk(who.paths.config()?)
                    .await?
                    .resolve(&id, &who.name(), &note, category, follow_up.as_deref())
                    .await?,
            )
        }
    }
}

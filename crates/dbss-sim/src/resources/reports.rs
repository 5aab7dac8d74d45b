//! Audit reports: create (generation takes the simulator's transition delay), list, delete,
//! download the finished file.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Call, Ctx, Handler, Reply, audit, audit_mut, no_such, ok, page_size};
use crate::{error::ApiError, rows::format_time, state::Report};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("CreateReport", create),
    ("ListAuditReports", list),
    ("DeleteAuditReport", delete),
    ("DownloadAuditReport", download),
];

/// Generation progress in percent.
fn progress(ctx: &Ctx<'_>, report: &Report, delay_ms: i64) -> i64 {
    let elapsed = ctx.wall_ms() - report.created_ms;
    if delay_ms <= 0 || elapsed >= delay_ms {
        100
    } else {
        (elapsed.saturating_mul(100) / delay_ms).clamp(0, 99)
    }
}

fn delay_ms(ctx: &Ctx<'_>) -> i64 {
    i64::try_from(ctx.world().delay.as_millis()).unwrap_or(i64::MAX)
}

#[derive(Deserialize)]
struct CreateBody {
    #[serde(default)]
    db_ids: Option<String>,
    start_time: String,
    end_time: String,
    template_id: String,
}

fn create(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let body: CreateBody = call.body_as()?;
    let now = ctx.wall_ms();
    let mut world = ctx.world();
    let id = world.ids.fresh();
    let (_, data) = audit_mut(&mut world, call.path("instance_id"))?;
    data.reports.push(Report {
        id,
        name: format!("Audit report {}", body.start_time),
        template_id: body.template_id,
        db_ids: body.db_ids.unwrap_or_default(),
        start_time: body.start_time,
        end_time: body.end_time,
        created_ms: now,
    });
    Ok(ok(ctx, "result"))
}

fn list(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let (skip, size) = page_size(call)?;
    let name = call.body_str("name").filter(|n| !n.is_empty());
    let delay = delay_ms(ctx);
    let world = ctx.world();
    let (_, data) = audit(&world, call.path("instance_id"))?;
    let matching: Vec<&Report> = data
        .reports
        .iter()
        .filter(|r| name.is_none_or(|n| r.name.contains(n)))
        .collect();
    let reports: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(size)
        .map(|r| {
            let percent = progress(ctx, r, delay);
            let names: Vec<&str> = r
                .db_ids
                .split(',')
                .filter_map(|id| data.database(id.trim()).map(|d| d.name.as_str()))
                .collect();
            json!({ "report": {
                "db_ids": r.db_ids, "db_names": names.join(","), "end_time": r.end_time,
                "finish_time": if percent == 100 { format_time(r.created_ms + delay) } else { String::new() },
                "format": "pdf", "id": r.id, "name": r.name, "percentum": percent, "start_time": r.start_time,
                "template_type": "PDF", "type": "AUDIT_REPORT_REAL_TIME",
                "url": format!("https://dbss-sim.invalid/reports/{}.pdf", r.id),
            }})
        })
        .collect();
    Ok(Reply::Json(
        json!({ "reports": reports, "total": matching.len() as i64 }),
    ))
}

fn delete(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let id = call.path("id");
    let mut world = ctx.world();
    let (_, data) = audit_mut(&mut world, call.path("instance_id"))?;
    let before = data.reports.len();
    data.reports.retain(|r| r.id != id);
    if data.reports.len() == before {
        return Err(no_such("a report of the instance", "id", id));
    }
    Ok(ok(ctx, "status"))
}

fn download(ctx: &Ctx<'_>, call: &Call) -> Result<Reply, ApiError> {
    let id = call.path("id");
    let delay = delay_ms(ctx);
    let world = ctx.world();
    let (_, data) = audit(&world, call.path("instance_id"))?;
    let report = data
        .reports
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| no_such("a report of the instance", "id", id))?;
    if progress(ctx, report, delay) < 100 {
        return Err(ApiError::invalid_state(format!("report {id} is still being generated")));
    }
    // A minimal PDF: enough for a client to recognise and store the file.
    let text = format!(
        "%PDF-1.4\n% dbss-sim audit report {id}\n% {} to {}, template {}\n%%EOF\n",
        report.start_time, report.end_time, report.template_id
    );
    Ok(Reply::Bytes(text.into_bytes()))
}

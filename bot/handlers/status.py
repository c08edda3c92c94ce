"""/status for the bot's operators: the same overview as `newsbrief status`, in the chat."""

from __future__ import annotations

from telegram import Update

from bot.commands import CommandSpec, add_command
from bot.permissions import require_bot_admin
from bot.render import Reply, esc, pack
from bot.send import answer
from bot.services import App, Context, services_of
from summaries.status import collect_status, overview, problems

STATUS = CommandSpec(
    "status", "Is the bot working? Stories, sources, chats, messages, backups", "/status",
    admin_only=True,
)  # fmt: skip


def register(application: App) -> None:
    add_command(application, STATUS, status_command)


async def status_command(update: Update, context: Context) -> None:
    """Operators: the overview, then what needs attention."""
    if not await require_bot_admin(update, context):
        return
    services = services_of(context)
    settings, now = services.settings, services.clock()
    status = collect_status(
        services.db, now=now, database=settings.db_path, backup_dir=settings.backup_dir
    )
    found = problems(status, now=now, poll_interval=settings.poll_interval)
    await answer(update, status_reply(overview(status, now=now), found))


def status_reply(lines: list[str], found: list[str]) -> Reply:
    """The overview as a message: figures, then "All well." or each problem on its own line."""
    text = ["<b>newsbrief status</b>", *(esc(line) for line in lines)]
    text.append("<b>Needs attention:</b>" if found else "All well.")
    text += [f"• {esc(problem)}" for problem in found]
    return Reply(pack([text]))

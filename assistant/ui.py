"""The Gradio page (gradio is imported here only); what events do lives in handlers.py as plain functions."""

import hashlib
import secrets
from typing import Any

from assistant import handlers
from assistant.case import CORRECTABLE, routine_label
from assistant.lexicon import routines
from assistant.services import Services
from assistant.stats import corpus_stats
from assistant.vocab import DOMAINS, GRADE_BANDS

KINDS = ["primer", "goal", "activity", "scope"]
GRADE_CHOICES = [
    ("", ""), ("pre-K", "prek"), ("kindergarten", "k"), *((f"grade {n}", str(n)) for n in range(1, 13)),
    ("18-21 program", "18-21"),
]  # fmt: skip
SUPPORT_CHOICES = [
    ("", ""), ("on their own", "independent"), ("verbal cues", "verbal"), ("visual cues", "visual"),
    ("gestures", "gestural"), ("a model", "model"), ("partial physical help", "partial_physical"),
    ("full physical help (hand-over-hand)", "full_physical"),
]  # fmt: skip
COMMUNICATION_CHOICES = [("", ""), ("speaks", "verbal"), ("uses AAC", "aac"), ("does not use speech", "nonverbal")]


def routine_choices() -> list[tuple[str, str]]:
    return [("", ""), *((routine_label(r), r) for r in routines() if r != "not_routine")]


CSS = """
.card { border: 1px solid #d0d7de; border-radius: 8px; padding: 0.5rem 1rem; }
@media (max-width: 900px) { .gradio-container { padding: 0.25rem !important; } }
"""


def stats_text(services: Services) -> str:
    """A one-line overview of what the local library holds."""
    totals = corpus_stats(services.corpus)["totals"]
    return (
        f"Library: {totals['primer']} primer documents, {totals['goals']} goal templates, "
        f"{totals['activities']} activities, {totals['scope']} scope cases."
    )


def session_id(request: Any) -> str:
    """A short, one-way id of the browser session for the audit log."""
    raw = getattr(request, "session_hash", None) or "-"
    return hashlib.sha256(raw.encode()).hexdigest()[:12] if raw != "-" else raw


MAX_PLAN_GOALS = 12


def checked_payload(services: Services, payload: dict) -> None:
    """An API call's arguments, checked where they enter (InputError): text within the typed-text cap, at most
    MAX_PLAN_GOALS goals, whole minutes from 10 to 120, and short grade and model names."""
    from assistant.errors import InputError
    from assistant.inputs import client_value

    limit = services.settings.max_input_chars
    client_value(payload, "request's arguments", limit, limit * 2)
    for key in ("text", "interests"):
        handlers.capped(services, payload.get(key) or "", key)
    goals = payload.get("goals")
    if goals is not None and (not isinstance(goals, list) or not all(isinstance(g, str) for g in goals)):
        raise InputError("the goals must be a list of texts")
    if goals is not None and len(goals) > MAX_PLAN_GOALS:
        raise InputError(f"a plan takes at most {MAX_PLAN_GOALS} goals; this request has {len(goals)}")
    minutes = payload.get("minutes")
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int) or not 10 <= minutes <= 120):
        raise InputError("minutes must be a whole number from 10 to 120")
    for key in ("grade", "model"):
        if payload.get(key) is not None and (not isinstance(payload[key], str) or len(payload[key]) > 40):
            raise InputError(f"the {key} must be a short text")


def _api(demo: Any, services: Services) -> None:
    """Named endpoints for gradio_client: CONTRACT JSON for goal, review, scope, plan and ask (chat)."""
    import gradio as gr

    from assistant.cli import ask_result, goal_result, plan_result, review_result, scope_result
    from assistant.errors import AssistantError, one_line

    def call(intent: str, request: Any, handle: Any, payload: dict) -> dict:
        """One API call, capped and audited; a problem comes back as {"error": "..."}."""
        with handlers.audited(services, session_id(request), intent) as record:
            try:
                checked_payload(services, payload)
                result = handle(services, payload)
            except (AssistantError, ValueError) as exc:
                record["outcome"] = type(exc).__name__
                return {"error": one_line(exc, 300)}
            record["sources"] = [c["source_id"] for c in result.get("citations", [])]
            if intent == "ask":
                record["intent"] = result.get("intent", "ask")
            return result

    def goal(text: str, request: gr.Request | None = None) -> dict:
        return call("goal", request, goal_result, {"text": text})

    def review(text: str, request: gr.Request | None = None) -> dict:
        return call("review", request, review_result, {"text": text})

    def scope(text: str, request: gr.Request | None = None) -> dict:
        return call("scope", request, scope_result, {"text": text})

    def chat(text: str, request: gr.Request | None = None) -> dict:
        return call("ask", request, ask_result, {"text": text})

    def plan(
        goals: list[str],
        minutes: int = 30,
        model: str = "pull-out",
        interests: str = "",
        grade: str = "",
        request: gr.Request | None = None,
    ) -> dict:
        payload = {"goals": goals, "minutes": minutes, "model": model, "interests": interests or None}
        return call("plan", request, plan_result, {**payload, "grade": grade or None})

    with demo:
        for fn in (goal, review, scope, plan, chat):
            gr.api(fn, api_name=fn.__name__)


def build(services: Services) -> Any:
    """The page: chat with cards and sources, goal writer, goal checker, session planner, scope check, library."""
    import gradio as gr

    s = services
    limit = services.settings.max_input_chars  # the browser stops typing there; handlers check again
    # delete_cache: Gradio's copies of downloads are deleted every minute once 10 minutes old, and at stop.
    with gr.Blocks(title="School OT Assistant", analytics_enabled=False, delete_cache=(60, 600)) as demo:
        drafts = gr.BrowserState(
            dict(handlers.EMPTY_DRAFTS), storage_key="school-ot-drafts", secret=secrets.token_hex(16)
        )
        gr.Markdown("# School OT Assistant")
        gr.Markdown(handlers.mode_banner(s.settings) + " " + stats_text(s), elem_id="mode-banner")
        notice = gr.Markdown("", elem_id="admin-notice")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(label="Conversation", height=380, elem_id="chatbot")
                        message = gr.Textbox(
                            label="Your question or request",
                            elem_id="chat-input",
                            placeholder="e.g. write a goal for a 3rd grader who ...",
                            max_length=4000,
                        )
                        send = gr.Button("Send", variant="primary", elem_id="chat-send")
                        new_student = gr.Button(
                            "New student (clears the chat, profile and drafts on this page)",
                            size="sm",
                            elem_id="new-student",
                        )
                        gr.Examples(handlers.EXAMPLES, inputs=message, label="Try one")
                    with gr.Column(scale=2):
                        with gr.Accordion("Student profile (used by the chat)", open=False):
                            grade = gr.Dropdown(
                                [
                                    "",
                                    "pre-K",
                                    "kindergarten",
                                    *[f"grade {i}" for i in range(1, 13)],
                                    "transition program",
                                ],
                                label="Grade",
                                value="",
                            )
                            concern = gr.Textbox(label="Concern", max_length=500)
                            baseline = gr.Textbox(label="Baseline (with its unit)", max_length=300)
                            setting = gr.Textbox(label="Setting", max_length=300)
                            interests = gr.Textbox(label="Interests", max_length=300)
                            model = gr.Dropdown(["", "push-in", "pull-out", "consult"], label="Service model")
                        card = gr.Markdown(elem_id="chat-card", elem_classes="card")
                        with gr.Accordion("Sources", open=True, elem_id="sources"):
                            sources = gr.Markdown(elem_id="sources-text")
                with gr.Row():
                    export_docx = gr.DownloadButton("Download DOCX", elem_id="export-docx")
                    export_md = gr.DownloadButton("Download Markdown", elem_id="export-md")
                    clear = gr.Button("Clear my drafts", variant="stop", elem_id="clear-drafts")
            with gr.Tab("Goal writer", id="writer"):
                request = gr.Textbox(
                    label="Describe the student and the concern", lines=3, elem_id="writer-input", max_length=limit
                )
                with gr.Row():
                    student = gr.Textbox(label="First name (optional)", max_length=60)
                    level = gr.Dropdown(
                        ["standard", "more_support", "more_independent"], value="standard", label="Support level"
                    )
                write = gr.Button("Draft goal", variant="primary", elem_id="writer-go")
                written = gr.Markdown(elem_id="writer-goal", elem_classes="card")
                with gr.Accordion("Correct what I understood, then re-draft", open=True, elem_id="writer-facts"):
                    with gr.Row():
                        fact_name = gr.Textbox(label="Student's first name", max_length=60, elem_id="fact-name")
                        fact_grade = gr.Dropdown(GRADE_CHOICES, value="", label="Grade", elem_id="fact-grade")
                        fact_routine = gr.Dropdown(
                            routine_choices(), value="", label="School routine", elem_id="fact-routine"
                        )
                    with gr.Row():
                        fact_baseline = gr.Textbox(
                            label="What the student does now, with its unit (e.g. 2 of 5 trials)",
                            max_length=300,
                            elem_id="fact-baseline",
                        )
                        fact_support = gr.Dropdown(SUPPORT_CHOICES, value="", label="Support now")
                        fact_comm = gr.Dropdown(COMMUNICATION_CHOICES, value="", label="Communication")
                    redraft = gr.Button("Re-draft with these facts", elem_id="writer-redraft")
                edit = gr.Textbox(
                    label="Edit the goal text and re-check it", lines=4, elem_id="writer-edit", max_length=5000
                )
                live = gr.Markdown(elem_id="writer-rubric")
                with gr.Accordion("Support-level variants", open=False):
                    variants = gr.Markdown()
                with gr.Accordion("Data sheet", open=False):
                    sheet = gr.Markdown()
                with gr.Accordion("Teacher / parent handout", open=False):
                    handout = gr.Markdown()
            with gr.Tab("Goal checker", id="checker"):
                pasted = gr.Textbox(label="Paste a goal", lines=4, elem_id="checker-input", max_length=5000)
                check = gr.Button("Check goal", variant="primary", elem_id="checker-go")
                table = gr.Markdown(elem_id="checker-table")
                rewrite = gr.Textbox(
                    label="Suggested rewrite ([brackets]: confirm or fill in)",
                    lines=4,
                    buttons=["copy"],
                    elem_id="checker-rewrite",
                )
            with gr.Tab("Session planner", id="planner"):
                goals_in = gr.Textbox(
                    label="Goals (separate goals with a blank line)", lines=5, elem_id="plan-goals", max_length=limit
                )
                with gr.Row():
                    minutes = gr.Number(30, label="Minutes", precision=0, minimum=10, maximum=120)
                    plan_model = gr.Dropdown(["pull-out", "push-in", "consult"], value="pull-out", label="Model")
                    plan_grade = gr.Dropdown(["", *GRADE_BANDS], value="", label="Grade band")
                    plan_interests = gr.Textbox(label="Interests", max_length=300)
                plan_go = gr.Button("Plan session", variant="primary", elem_id="plan-go")
                plan_out = gr.Markdown(elem_id="plan-out", elem_classes="card")
            with gr.Tab("Scope check", id="scope"):
                question = gr.Textbox(label="Is this school OT?", elem_id="scope-input", max_length=5000)
                scope_go = gr.Button("Check scope", variant="primary", elem_id="scope-go")
                scope_out = gr.Markdown(elem_id="scope-out", elem_classes="card")
                scope_sources = gr.Markdown()
            with gr.Tab("Library", id="library"):
                with gr.Row():
                    query = gr.Textbox(label="Search the library", scale=3, elem_id="library-input", max_length=1000)
                    kind = gr.Dropdown(["", *KINDS], value="", label="Kind")
                    domain = gr.Dropdown(["", *DOMAINS], value="", label="Domain")
                    band = gr.Dropdown(["", *GRADE_BANDS], value="", label="Grade band")
                    lib_setting = gr.Dropdown(["", "push-in", "pull-out"], value="", label="Setting")
                lib_go = gr.Button("Search", elem_id="library-go")
                results = gr.Markdown(elem_id="results")

        profile = [grade, concern, baseline, setting, interests, model]

        def on_chat(
            text, history, saved, grade_, concern_, baseline_, setting_, interests_, model_, request: gr.Request
        ):
            keys = ["grade", "concern", "baseline", "setting", "interests", "service model"]
            fields = [grade_, concern_, baseline_, setting_, interests_, model_]
            profile = {k: v if isinstance(v, str) else "" for k, v in zip(keys, fields, strict=True)}
            yield from handlers.chat_turn(s, text, history or [], saved, profile, session_id(request))

        facts = [fact_name, fact_grade, fact_routine, fact_baseline, fact_support, fact_comm]

        def shown(outputs: tuple) -> tuple:
            *goal_outputs, understood = outputs
            return (*goal_outputs, *(understood.get(k, "") for k in CORRECTABLE))

        def on_write(r: str, n: str, lv: str, d: dict, request: gr.Request):
            return shown(handlers.write_goal(s, r, n, lv, d, session_id(request)))

        def on_redraft(
            r: str, n: str, lv: str, d: dict, f1: str, f2: str, f3: str, f4: str, f5: str, f6: str, request: gr.Request
        ):
            corrections = dict(zip(CORRECTABLE, (f1, f2, f3, f4, f5, f6), strict=True))
            return shown(handlers.write_goal(s, r, n, lv, d, session_id(request), corrections))

        def on_check(t: str, request: gr.Request):
            return handlers.check_goal(s, t, session_id(request))

        def on_plan(g: str, m: float, md: str, i: str, gr_: str, d: dict, request: gr.Request):
            return handlers.plan_form(s, g, m, md, i, gr_, d, session_id(request))

        def on_scope(q: str, request: gr.Request):
            return handlers.scope_form(s, q, session_id(request))

        def on_library(q: str, k: str, dm: str, b: str, st: str, request: gr.Request):
            return handlers.library(s, q, k, dm, b, st, session_id(request))

        def on_export_docx(d: dict, request: gr.Request):
            return handlers.export(s, d, "docx", session_id(request))

        def on_export_md(d: dict, request: gr.Request):
            return handlers.export(s, d, "md", session_id(request))

        chat_io = dict(
            fn=on_chat,
            inputs=[message, chatbot, drafts, *profile],
            outputs=[chatbot, drafts, card, sources],
            api_name=False,
        )
        send.click(**chat_io).then(lambda: "", None, message, api_name=False)
        message.submit(**chat_io).then(lambda: "", None, message, api_name=False)
        export_docx.click(on_export_docx, drafts, export_docx, api_name=False)
        export_md.click(on_export_md, drafts, export_md, api_name=False)
        clear.click(
            lambda: (dict(handlers.EMPTY_DRAFTS), [], "", ""), None, [drafts, chatbot, card, sources], api_name=False
        )
        new_student.click(
            lambda: (dict(handlers.EMPTY_DRAFTS), [], handlers.NEW_STUDENT, "", "", "", "", "", "", ""),
            None,
            [drafts, chatbot, card, sources, grade, concern, baseline, setting, interests, model],
            api_name=False,
        )
        writer_out = [written, variants, sheet, handout, drafts, live, *facts]
        goal_text_of = lambda d: (d.get("goal") or {}).get("goal_text", "")  # noqa: E731
        write.click(on_write, [request, student, level, drafts], writer_out, api_name=False).then(
            goal_text_of, drafts, edit, api_name=False
        )
        redraft.click(on_redraft, [request, student, level, drafts, *facts], writer_out, api_name=False).then(
            goal_text_of, drafts, edit, api_name=False
        )
        edit.change(handlers.rubric_table, edit, live, api_name=False)
        check.click(on_check, pasted, [table, rewrite], api_name=False)
        plan_go.click(
            on_plan,
            [goals_in, minutes, plan_model, plan_interests, plan_grade, drafts],
            [plan_out, drafts],
            api_name=False,
        )
        scope_go.click(on_scope, question, [scope_out, scope_sources], api_name=False)
        library_in = [query, kind, domain, band, lib_setting]
        lib_go.click(on_library, library_in, results, api_name="search")
        query.submit(on_library, library_in, results, api_name=False)
        demo.load(lambda d: handlers.restore(s, d), drafts, [chatbot, card], api_name=False)
        demo.load(lambda: handlers.admin_notice(s), None, notice, api_name=False)
    _api(demo, services)
    return demo


def theme() -> Any:
    """System fonts only: the default theme would fetch web fonts from the internet."""
    import gradio as gr

    return gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])

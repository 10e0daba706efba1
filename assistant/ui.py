"""The Gradio page (gradio is imported here only); what events do lives in handlers.py as plain functions."""

import hashlib
import secrets
from pathlib import Path
from typing import Any

from assistant import caseload, handlers
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


CSS_FILE = Path(__file__).parent / "static" / "app.css"
SCRIPT_FILE = Path(__file__).parent / "static" / "app.js"


def css() -> str:
    return CSS_FILE.read_text(encoding="utf-8")


def head() -> str:
    """The page's own small script (see static/app.js), inline: the CSP allows the app's scripts, never eval."""
    return f"<script>{SCRIPT_FILE.read_text(encoding='utf-8')}</script>"


ONE_LINE = (
    "Drafts measurable IEP goals, session plans and school-OT scope answers from a library on this computer, "
    "and shows what it understood so you can correct it."
)
CARD_PLACEHOLDER = "_Your draft appears here: ask for a goal, a session plan or a scope answer above._"


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
    """The page: a caseload switcher, then chat (the answer in the main column), goal writer, goal checker,
    session planner, scope check and library; exports of the student's whole session on every tab."""
    import gradio as gr

    s = services
    limit = services.settings.max_input_chars  # the browser stops typing there; handlers check again
    # delete_cache: Gradio's copies of downloads are deleted every minute once 10 minutes old, and at stop.
    with gr.Blocks(title="School OT Assistant", analytics_enabled=False, delete_cache=(60, 600)) as demo:
        key = secrets.token_hex(16)
        drafts = gr.BrowserState(dict(handlers.EMPTY_DRAFTS), storage_key="school-ot-drafts", secret=key)
        inputs_state = gr.BrowserState({}, storage_key="school-ot-inputs", secret=key)
        filed = gr.BrowserState({"students": []}, storage_key="school-ot-caseload", secret=key)
        gr.Markdown("[Skip to the main content](#main-content)", elem_id="skip")  # gr.HTML would need eval
        gr.Markdown(f"# School OT Assistant\n\n{ONE_LINE}", elem_id="intro")
        gr.Markdown(handlers.mode_banner(s.settings) + " " + stats_text(s), elem_id="mode-banner")
        notice = gr.Markdown("", elem_id="admin-notice")
        with gr.Row(elem_id="caseload"):
            switcher = gr.Dropdown(
                [("New student (on screen)", "current")], value="current", label="Student", scale=2, min_width=280,
                elem_id="student-switch", info="Each student keeps their own chat, goals and plans in this browser.",
            )  # fmt: skip
            with gr.Column(scale=3, min_width=300):
                with gr.Row(elem_id="student-actions"):
                    new_student = gr.Button("New student", size="sm", elem_id="new-student", min_width=120)
                    clear = gr.Button(
                        "Clear my drafts", variant="stop", size="sm", elem_id="clear-drafts", min_width=120
                    )
                with gr.Row(elem_id="export-row"):
                    export_docx = gr.Button("Download DOCX", size="sm", elem_id="export-docx", min_width=120)
                    export_md = gr.Button("Download Markdown", size="sm", elem_id="export-md", min_width=120)
                    export_html = gr.Button("Printable page", size="sm", elem_id="export-html", min_width=120)
        with gr.Row(visible=False, elem_id="clear-confirm") as confirm_row:
            gr.Markdown(handlers.CLEAR_ASK)
            clear_yes = gr.Button("Yes, clear everything", variant="stop", size="sm", elem_id="clear-yes")
            clear_no = gr.Button("Cancel", size="sm", elem_id="clear-no")
        export_file = gr.File(label="Your download", elem_id="export-file", interactive=False, visible=False)
        export_note = gr.Markdown("", elem_id="export-note")
        with gr.Tabs(elem_id="main-content", overflow_behavior="wrap"):  # every tab reachable on a phone
            with gr.Tab("Chat", id="chat"):
                gr.Markdown("## Chat", elem_classes="section-heading")
                with gr.Row():
                    with gr.Column(scale=3, min_width=320):
                        chatbot = gr.Chatbot(
                            label="Conversation", height=300, elem_id="chatbot", buttons=["copy"], autoscroll=True
                        )
                        message = gr.Textbox(
                            label="Your question or request (you can paste an evaluation summary)",
                            elem_id="chat-input",
                            placeholder="e.g. a goal for a 3rd grader who ... (Enter sends)",
                            lines=1,
                            max_lines=8,
                            max_length=limit,
                        )
                        send = gr.Button("Send", variant="primary", elem_id="chat-send")
                        with gr.Column(elem_id="examples-box") as examples_box:  # shown until the chat starts
                            gr.Examples(handlers.EXAMPLES, inputs=message, label="Try one")
                        card = gr.Markdown(CARD_PLACEHOLDER, elem_id="chat-card", elem_classes="card", buttons=["copy"])
                    with gr.Column(scale=1, min_width=260):
                        with gr.Accordion("Student profile (used by the chat)", open=False):
                            grade = gr.Dropdown(
                                ["", "pre-K", "kindergarten", *[f"grade {i}" for i in range(1, 13)],
                                 "transition program"],
                                label="Grade",
                                value="",
                            )  # fmt: skip
                            concern = gr.Textbox(label="Concern", max_length=500)
                            baseline = gr.Textbox(label="Baseline (with its unit)", max_length=300)
                            setting = gr.Textbox(label="Setting", max_length=300)
                            interests = gr.Textbox(label="Interests", max_length=300)
                            model = gr.Dropdown(["", "push-in", "pull-out", "consult"], label="Service model")
                        with gr.Accordion("Sources", open=True, elem_id="sources"):
                            sources = gr.Markdown(elem_id="sources-text")
            with gr.Tab("Goal writer", id="writer"):
                gr.Markdown("## Goal writer", elem_classes="section-heading")
                request = gr.Textbox(
                    label="Describe the student and the concern (or paste an evaluation summary)",
                    lines=3,
                    elem_id="writer-input",
                    max_length=limit,
                )
                with gr.Row():
                    student = gr.Textbox(label="First name (optional)", max_length=60, elem_id="writer-name")
                    level = gr.Dropdown(
                        ["standard", "more_support", "more_independent"], value="standard", label="Support level"
                    )
                write = gr.Button("Draft goal", variant="primary", elem_id="writer-go")
                written = gr.Markdown(elem_id="writer-goal", elem_classes="card", buttons=["copy"])
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
                    label="Edit the goal text and re-check it",
                    lines=4,
                    elem_id="writer-edit",
                    max_length=limit,
                    buttons=["copy"],
                )
                live = gr.Markdown(elem_id="writer-rubric")
                with gr.Accordion("Support-level variants", open=False):
                    variants = gr.Markdown(buttons=["copy"])
                with gr.Accordion("Data sheet", open=False):
                    sheet = gr.Markdown(elem_id="writer-sheet", buttons=["copy"])
                with gr.Accordion("Teacher / parent handout", open=False):
                    handout = gr.Markdown(elem_id="writer-handout", buttons=["copy"])
            with gr.Tab("Goal checker", id="checker"):
                gr.Markdown("## Goal checker", elem_classes="section-heading")
                pasted = gr.Textbox(label="Paste a goal", lines=4, elem_id="checker-input", max_length=limit)
                check = gr.Button("Check goal", variant="primary", elem_id="checker-go")
                table = gr.Markdown(elem_id="checker-table")
                rewrite = gr.Textbox(
                    label="Suggested rewrite ([brackets]: confirm or fill in)",
                    lines=4,
                    buttons=["copy"],
                    elem_id="checker-rewrite",
                )
            with gr.Tab("Session planner", id="planner"):
                gr.Markdown("## Session planner", elem_classes="section-heading")
                goals_in = gr.Textbox(
                    label="Goals (separate goals with a blank line)", lines=5, elem_id="plan-goals", max_length=limit
                )
                with gr.Row():
                    minutes = gr.Number(30, label="Minutes", precision=0, minimum=10, maximum=120, elem_id="plan-min")
                    plan_model = gr.Dropdown(["pull-out", "push-in", "consult"], value="pull-out", label="Model")
                    plan_grade = gr.Dropdown(["", *GRADE_BANDS], value="", label="Grade band")
                    plan_interests = gr.Textbox(label="Interests", max_length=300, elem_id="plan-interests")
                plan_go = gr.Button("Plan session", variant="primary", elem_id="plan-go")
                plan_out = gr.Markdown(elem_id="plan-out", elem_classes="card", buttons=["copy"])
            with gr.Tab("Scope check", id="scope"):
                gr.Markdown("## Scope check", elem_classes="section-heading")
                question = gr.Textbox(label="Is this school OT?", elem_id="scope-input", max_length=limit)
                scope_go = gr.Button("Check scope", variant="primary", elem_id="scope-go")
                scope_out = gr.Markdown(elem_id="scope-out", elem_classes="card", buttons=["copy"])
                scope_sources = gr.Markdown()
            with gr.Tab("Library", id="library"):
                gr.Markdown("## Library", elem_classes="section-heading")
                with gr.Row():
                    query = gr.Textbox(label="Search the library", scale=3, elem_id="library-input", max_length=1000)
                    kind = gr.Dropdown(["", *KINDS], value="", label="Kind")
                    domain = gr.Dropdown(["", *DOMAINS], value="", label="Domain")
                    band = gr.Dropdown(["", *GRADE_BANDS], value="", label="Grade band")
                    lib_setting = gr.Dropdown(["", "push-in", "pull-out"], value="", label="Setting")
                lib_go = gr.Button("Search", elem_id="library-go")
                results = gr.Markdown(elem_id="results")

        profile = [grade, concern, baseline, setting, interests, model]
        outgoing = gr.State("")  # the message being answered
        facts = [fact_name, fact_grade, fact_routine, fact_baseline, fact_support, fact_comm]
        writer_fields = [request, student, level]
        plan_fields = [goals_in, minutes, plan_model, plan_grade, plan_interests]
        # What page_view gives, in the order of the components that show it.
        view_parts = [
            ("history", chatbot), ("card", card), ("sources", sources),
            *((f"profile:{k}", c) for k, c in zip(handlers.PROFILE_KEYS, profile, strict=True)),
            *zip(handlers.WRITER_INPUTS, writer_fields, strict=True),
            *zip(handlers.PLAN_INPUTS, plan_fields, strict=True),
            ("written", written), ("sheet", sheet), ("handout", handout), ("edit", edit), ("live", live),
            ("plan_out", plan_out), ("drafts", drafts), ("inputs", inputs_state), ("filed", filed),
        ]  # fmt: skip
        view_outputs = [c for _, c in view_parts] + [switcher, export_file, export_note, examples_box]

        def shown_view(view: dict) -> tuple:
            """The page for one student; the last download's panel goes (it was another student's file)."""
            switch = gr.update(choices=view["switcher"], value="current")
            hidden = gr.update(value=None, visible=False)
            return (*(view[k] for k, _ in view_parts), switch, hidden, "", gr.update(visible=not view["history"]))

        def on_chat(
            text, history, saved, kept, grade_, concern_, baseline_, setting_, interests_, model_, request: gr.Request
        ):
            fields = [grade_, concern_, baseline_, setting_, interests_, model_]
            profile = {k: v if isinstance(v, str) else "" for k, v in zip(handlers.PROFILE_KEYS, fields, strict=True)}
            for shown, saved_, card_, sources_, *rest in handlers.chat_turn(
                s, text, history or [], saved, profile, session_id(request), kept
            ):
                kept_ = rest[0] if rest else kept  # a damaged caseload copy is left as the browser has it
                choices = caseload.choices(saved_, kept_)
                # the last student was filed: their download panel goes too
                filing = len(caseload.students(kept_)) != len(caseload.students(kept))
                gone = (gr.update(value=None, visible=False), "") if filing else (gr.update(), gr.update())
                switch = gr.update(choices=choices, value="current")
                yield shown, saved_, card_, sources_, kept_, switch, *gone, gr.update(visible=False)

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

        def exporter(fmt: str):
            def on_export(d: dict, request: gr.Request):
                path = handlers.export(s, d, fmt, session_id(request))
                if path is None:
                    note = "**Nothing to download yet:** draft a goal or a plan for this student first."
                    return gr.update(value=None, visible=False), note
                note = f"Downloading **{Path(path).name}**: every goal and plan of this student's session."
                return gr.update(value=path, visible=True), note

            return on_export

        def on_inputs(*values):
            keys = (*handlers.WRITER_INPUTS, *handlers.PLAN_INPUTS)
            return handlers.kept_inputs(s, dict(zip(keys, values, strict=True)))

        chat_io = dict(
            fn=on_chat,
            inputs=[outgoing, chatbot, drafts, filed, *profile],
            outputs=[chatbot, drafts, card, sources, filed, switcher, export_file, export_note, examples_box],
            api_name=False,
        )
        # The box is emptied as the message leaves (not after the answer: that would wipe what is typed next).
        take = dict(fn=lambda m: ("", m), inputs=message, outputs=[message, outgoing], api_name=False)
        send.click(**take).then(**chat_io)
        message.submit(**take).then(**chat_io)
        for button, fmt in ((export_docx, "docx"), (export_md, "md"), (export_html, "html")):
            button.click(exporter(fmt), drafts, [export_file, export_note], api_name=False)

        def cleared() -> dict:
            return {**handlers.page_view(s, {}, {}, {}), "card": handlers.CLEARED}

        clear.click(lambda: gr.update(visible=True), None, confirm_row, api_name=False)
        clear_no.click(lambda: gr.update(visible=False), None, confirm_row, api_name=False)
        clear_yes.click(
            lambda: (*shown_view(cleared()), gr.update(visible=False)),
            None,
            [*view_outputs, confirm_row],
            api_name=False,
        )
        new_student.click(
            lambda d, i, f: shown_view(handlers.start_new_student(s, d, i, f)),
            [drafts, inputs_state, filed],
            view_outputs,
            api_name=False,
        )
        switcher.input(
            lambda c, d, i, f: shown_view(handlers.switch_student(s, c, d, i, f)),
            [switcher, drafts, inputs_state, filed],
            view_outputs,
            api_name=False,
        )
        for field in (request, student, goals_in, plan_interests):
            field.blur(on_inputs, [*writer_fields, *plan_fields], inputs_state, api_name=False)
        for field in (level, minutes, plan_model, plan_grade):
            field.input(on_inputs, [*writer_fields, *plan_fields], inputs_state, api_name=False)
        writer_out = [written, variants, sheet, handout, drafts, live, *facts]
        goal_text_of = lambda d: (d.get("goal") or {}).get("goal_text", "")  # noqa: E731
        write.click(on_write, [request, student, level, drafts], writer_out, api_name=False).then(
            goal_text_of, drafts, edit, api_name=False
        ).then(on_inputs, [*writer_fields, *plan_fields], inputs_state, api_name=False)
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
        ).then(on_inputs, [*writer_fields, *plan_fields], inputs_state, api_name=False)
        scope_go.click(on_scope, question, [scope_out, scope_sources], api_name=False)
        library_in = [query, kind, domain, band, lib_setting]
        lib_go.click(on_library, library_in, results, api_name="search")
        query.submit(on_library, library_in, results, api_name=False)

        def on_load(d: dict, i: dict, f: dict):
            view = handlers.page_view(s, d, i, f)
            if not view["card"]:
                view["card"] = CARD_PLACEHOLDER
            return shown_view(view)

        demo.load(on_load, [drafts, inputs_state, filed], view_outputs, api_name=False)
        demo.load(lambda: handlers.admin_notice(s), None, notice, api_name=False)
    _api(demo, services)
    return demo


def theme() -> Any:
    """System fonts only: the default theme would fetch web fonts from the internet."""
    import gradio as gr

    # Buttons at WCAG AA contrast (white on the default orange was 2.8:1, on the red 3.8:1).
    return gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]).set(
        button_primary_background_fill="#9a3412",
        button_primary_background_fill_hover="#7c2d12",
        button_primary_text_color="#ffffff",
        button_primary_border_color="#7c2d12",
        button_cancel_background_fill="#b91c1c",
        button_cancel_background_fill_hover="#991b1b",
        button_cancel_text_color="#ffffff",
        button_cancel_border_color="#991b1b",
    )

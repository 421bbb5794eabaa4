"""Settings › Assistant: the business profile and a playground to try the assistant."""

import reflex as rx

from aisha_app import routes
from aisha_app.pages.chat import AUTO_DIR
from aisha_app.pages.components import feedback, labelled
from aisha_app.pages.layout import shell
from aisha_app.state.assistant import AssistantState


def _field(label: str, name: str, multiline: bool = False) -> rx.Component:
    value = AssistantState.profile[name].to(str)
    control = (
        rx.text_area(name=name, default_value=value, rows="3", width="100%")
        if multiline
        else rx.input(name=name, default_value=value, width="100%")
    )
    return labelled(label, control)


def _profile() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Business profile", size="4"),
                _field("Name", "name"),
                _field("What the business does", "description", multiline=True),
                _field("Address", "address"),
                _field("Time zone", "timezone"),
                _field("Opening hours (one day a line: monday 08:00-18:00)", "hours_text", multiline=True),
                _field("Tone", "tone"),
                _field("Languages (en, ar, sw)", "languages_text"),
                _field("The assistant may", "may", multiline=True),
                _field("The assistant must not", "may_not", multiline=True),
                feedback(AssistantState.error, AssistantState.notice, "profile"),
                rx.button("Save", type="submit", disabled=~AssistantState.is_admin, id="profile-save"),
                width="100%",
            ),
            on_submit=AssistantState.save_profile,
        ),
        width="100%",
        max_width="560px",
    )


def _playground() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Playground", size="4"),
                rx.spacer(),
                rx.button("Clear", size="1", variant="ghost", on_click=AssistantState.clear_chat),
                width="100%",
            ),
            rx.text("Write as a customer would. Nothing is sent to anyone.", size="2", color_scheme="gray"),
            rx.vstack(
                rx.foreach(
                    AssistantState.chat,
                    lambda m: rx.box(
                        rx.text(m["text"], size="2", custom_attrs=AUTO_DIR),
                        rx.cond(m["details"] != "", rx.text(m["details"], size="1", color_scheme="gray")),
                        background=rx.cond(m["role"] == "customer", rx.color("teal", 3), rx.color("gray", 3)),
                        align_self=rx.cond(m["role"] == "customer", "flex-end", "flex-start"),
                        padding="0.5em 0.8em",
                        border_radius="10px",
                        max_width="85%",
                        class_name="playground-line",
                    ),
                ),
                width="100%",
                spacing="2",
                min_height="200px",
            ),
            rx.hstack(
                rx.input(
                    value=AssistantState.prompt,
                    on_change=AssistantState.set_prompt,
                    width="100%",
                    placeholder="How much are the safety boots?",
                    id="playground-input",
                    custom_attrs=AUTO_DIR,
                ),
                rx.button("Ask", on_click=AssistantState.ask, id="playground-ask"),
                width="100%",
            ),
            width="100%",
        ),
        width="100%",
        max_width="560px",
    )


def _tuning() -> rx.Component:
    tuning = AssistantState.tuning
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Model and keywords", size="4"),
                rx.text(
                    "Gemini answers when GEMINI_API_KEY is set; otherwise the offline assistant, which "
                    "finds the customer's intent by these keywords (one intent a line).",
                    size="2",
                    color_scheme="gray",
                ),
                rx.hstack(
                    labelled(
                        "Gemini model",
                        rx.input(name="model", default_value=tuning["model"], id="tuning-model"),
                    ),
                    labelled(
                        "Temperature (0-2)",
                        rx.input(
                            name="temperature", default_value=tuning["temperature"], id="tuning-temperature"
                        ),
                    ),
                ),
                rx.hstack(
                    rx.text("Keywords", size="2", weight="medium"),
                    rx.spacer(),
                    rx.button(
                        "Reset to defaults",
                        size="1",
                        variant="ghost",
                        type="button",
                        on_click=AssistantState.reset_keywords,
                    ),
                    width="100%",
                ),
                rx.text_area(
                    name="keywords",
                    value=AssistantState.keywords,
                    on_change=AssistantState.set_keywords,
                    rows="10",
                    width="100%",
                    id="tuning-keywords",
                    custom_attrs=AUTO_DIR,
                ),
                feedback(AssistantState.tuning_error, AssistantState.tuning_notice, "tuning"),
                rx.button("Save", type="submit", disabled=~AssistantState.is_admin, id="tuning-save"),
                width="100%",
            ),
            on_submit=AssistantState.save_tuning,
        ),
        width="100%",
        max_width="560px",
    )


def _assistant() -> rx.Component:
    return rx.flex(
        _playground(), _profile(), _tuning(), spacing="5", wrap="wrap", align="start", width="100%"
    )


assistant_page = shell("Assistant", _assistant, back=("Settings", routes.SETTINGS))

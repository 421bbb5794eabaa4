"""/simulator: play a customer writing to the business, and watch the replies arrive."""

import reflex as rx

from aisha_app.pages.chat import AUTO_DIR, bubble
from aisha_app.pages.layout import shell
from aisha_app.state.simulator import SimulatorState

# Three dots rising in turn while the assistant prepares its reply, as a phone shows typing.
TYPING_DOTS = """
.typing-dot { width: 6px; height: 6px; border-radius: 50%; background: var(--gray-9);
  animation: typing 1.2s infinite ease-in-out; }
.typing-dot:nth-child(3) { animation-delay: 0.2s; }
.typing-dot:nth-child(4) { animation-delay: 0.4s; }
@keyframes typing { 0%, 60%, 100% { transform: translateY(0); opacity: 0.5; }
  30% { transform: translateY(-4px); opacity: 1; } }
"""


def _start() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Play a customer", size="5"),
            rx.text(
                "Write to the business as a customer would on WhatsApp. Staff see it in the inbox.",
                color_scheme="gray",
                size="2",
            ),
            rx.input(name="name", placeholder="Your name", id="sim-name", width="100%"),
            rx.cond(
                SimulatorState.user_id > 0,
                rx.input(
                    name="phone",
                    placeholder="Phone, e.g. 0712345678",
                    id="sim-phone",
                    required=True,
                    width="100%",
                ),
                # A visitor of the open demo plays a number of their own (state/simulator.py).
                rx.text(
                    "You get a demo number (+999 ...) of your own for this tab.",
                    id="sim-demo-number",
                    color_scheme="gray",
                    size="1",
                ),
            ),
            rx.cond(
                SimulatorState.error != "", rx.callout(SimulatorState.error, color_scheme="red", size="1")
            ),
            rx.button("Start chatting", type="submit", id="sim-start", width="100%"),
            spacing="3",
        ),
        on_submit=SimulatorState.start,
    )


def _chat() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(
                rx.cond(SimulatorState.customer_name != "", SimulatorState.customer_name, "Customer"),
                size="4",
                custom_attrs=AUTO_DIR,
            ),
            rx.text(SimulatorState.customer_phone, color_scheme="gray", size="2"),
            rx.spacer(),
            rx.button("Leave", variant="ghost", size="1", on_click=SimulatorState.leave),
            width="100%",
            align="center",
        ),
        rx.vstack(
            rx.foreach(
                SimulatorState.thread,
                lambda m: bubble(m, m.direction == "inbound", on_tap=SimulatorState.tap),
            ),
            rx.cond(
                SimulatorState.typing,
                rx.hstack(
                    rx.el.style(TYPING_DOTS),
                    *[rx.box(class_name="typing-dot") for _ in range(3)],
                    rx.text("typing", size="1", color_scheme="gray"),
                    align="center",
                    spacing="1",
                    padding="0.5em 0.8em",
                    border_radius="12px",
                    background=rx.color("gray", 1),
                    id="sim-typing",
                    custom_attrs={"aria-live": "polite"},
                ),
            ),
            width="100%",
            spacing="2",
            overflow_y="auto",
            height="60vh",
            id="sim-thread",
            padding="0.5em",
            background=rx.color("gray", 2),
            border_radius="12px",
        ),
        rx.cond(SimulatorState.error != "", rx.callout(SimulatorState.error, color_scheme="red", size="1")),
        rx.hstack(
            rx.upload.root(
                rx.button(rx.icon("image"), variant="soft", type="button"),
                id="sim-picture",
                accept={"image/*": [".jpg", ".jpeg", ".png", ".webp"]},
                max_files=1,
                on_drop=SimulatorState.send_picture(rx.upload_files(upload_id="sim-picture")),
                border="none",
                padding="0",
            ),
            rx.input(
                value=SimulatorState.draft,
                on_change=SimulatorState.set_draft,
                id="sim-input",
                placeholder="Type a message",
                width="100%",
                custom_attrs=AUTO_DIR,
            ),
            rx.button("Send", on_click=SimulatorState.send, id="sim-send"),
            width="100%",
        ),
        width="100%",
        max_width="520px",
        spacing="3",
    )


def _simulator() -> rx.Component:
    return rx.center(
        rx.card(
            rx.cond(
                SimulatorState.allowed,
                rx.cond(SimulatorState.conversation_id > 0, _chat(), _start()),
                rx.spinner(),
            ),
            width="100%",
            max_width="560px",
            padding=["0.75em", "1em", "1.5em"],
        ),
        width="100%",
    )


simulator_page = shell("Simulator", _simulator, public=True)

"""The one source of colours and fonts: the Plotly template and the CSS variables come from here."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

# "Noto Sans SC" is the web font served from assets/fonts (Makefile: fonts), so a wall PC without CJK fonts
# renders the same glyphs as the test browser; the rest are fallbacks for a build without it.
FONT_FAMILY = '"Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'


@dataclass(frozen=True)
class Theme:
    background: str = "#0b1a2e"
    panel: str = "#10243d"
    border: str = "#1f3b5c"
    text: str = "#dbe7f5"
    muted: str = "#8ca3bd"
    accent: str = "#3fb6ff"
    good: str = "#34c38f"
    warn: str = "#f1b44c"
    bad: str = "#f46a6a"
    boundary: str = "#5d7fa3"
    input_text: str = "#102030"  # text inside the (light) dropdowns
    qr_light: str = "#ffffff"  # behind a QR code's black modules: scanners need dark on light
    # The public page is read on a phone in daylight at the venue: dark text on a light page.
    public_background: str = "#f4f7fb"
    public_text: str = "#14233a"
    public_card: str = "#ffffff"
    public_muted: str = "#4a5d75"  # labels on the card: still 6:1 against white
    # Sequential scale for counts of non-compliance: dark blue (few) → amber → red (many).
    sequential: tuple[str, ...] = ("#16324f", "#1f5f8b", "#3fa7d6", "#f6c453", "#f08a4b", "#e3493b")
    # 量化分级: A green (good), B amber, C red (needs the most supervision), not graded grey; four hues
    # apart in lightness and hue on the dark panel, drawn as circles of equal size.
    grade_a: str = "#34c38f"
    grade_b: str = "#f1b44c"
    grade_c: str = "#f46a6a"
    ungraded: str = "#8ca3bd"
    # Risk levels in the four colours of Chinese risk grading (蓝 低, 黄 一般, 橙 较大, 红 重大), so a supervisor
    # reads them as on every risk map they know; the yellow and orange are kept apart in hue for the dark panel.
    risk_low: str = "#3fb6ff"
    risk_medium: str = "#f7d94c"
    risk_high: str = "#f0782b"
    risk_very_high: str = "#e8364a"
    font_family: str = FONT_FAMILY

    def css(self) -> str:
        """CSS custom properties consumed by assets/*.css."""
        names = ("background", "panel", "border", "text", "muted", "accent", "good", "warn", "bad", "boundary", "input_text",
                 "qr_light", "public_background", "public_text", "public_card", "public_muted", "risk_low", "risk_medium",
                 "risk_high", "risk_very_high")
        lines = [f"  --wj-{name.replace('_', '-')}: {getattr(self, name)};" for name in names]
        lines.append(f"  --wj-font: {self.font_family};")
        return ":root {\n" + "\n".join(lines) + "\n}\n"

    def plotly_template(self) -> go.layout.Template:
        return go.layout.Template(
            layout=go.Layout(
                paper_bgcolor=self.panel,
                plot_bgcolor=self.panel,
                font=dict(family=self.font_family, color=self.text, size=14),
                colorway=[self.accent, self.warn, self.good, self.bad, "#a78bfa", "#5eead4"],
                xaxis=dict(gridcolor=self.border, zerolinecolor=self.border),
                yaxis=dict(gridcolor=self.border, zerolinecolor=self.border),
                hoverlabel=dict(font=dict(family=self.font_family)),
                margin=dict(l=10, r=10, t=10, b=10),
            )
        )

    def grade_colour(self, grade: str | None) -> str:
        """The colour of a hygiene grade (A, B, C; None: not graded)."""
        return {"A": self.grade_a, "B": self.grade_b, "C": self.grade_c}.get(grade, self.ungraded)

    def risk_colour(self, level: str | None) -> str:
        """The colour of a risk level (low … very_high; None: not assessed, drawn like an ungraded entity)."""
        return {"low": self.risk_low, "medium": self.risk_medium, "high": self.risk_high,
                "very_high": self.risk_very_high}.get(level, self.ungraded)

    def colorscale(self, skip_darkest: bool = False) -> list[list]:
        """The sequential scale; bars skip its darkest step, which would vanish on the panel."""
        colours = self.sequential[1:] if skip_darkest else self.sequential
        steps = len(colours) - 1
        return [[i / steps, colour] for i, colour in enumerate(colours)]


THEME = Theme()

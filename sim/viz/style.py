"""The page's look: the one style sheet and the sizes of the views (px).

One piece because the sizes and the CSS are tuned together so that at 1280 x 720 the run bar,
both networks, the scoreboard and three charts fit on one projector screen, in English and in
bokmål, with no text under 14 px (tests/test_browser_app.py measures it).
"""

from __future__ import annotations

CONTROLS_WIDTH = 292  # px
NETWORK_HEIGHT = 262  # px of each network canvas (fits 720 px high screens with the charts)
CHART_HEIGHT = 194  # px of each chart's drawing area (under a two-line title: name, unit)
CSS = f"""
.rc-shell {{ display: flex; height: 100vh; overflow: hidden; font-size: 14px; }}
.rc-controls {{ width: {CONTROLS_WIDTH}px; flex: none; height: 100vh; overflow-y: auto;
  padding: 6px 8px; border-right: 1px solid #ddd; background: #fafafa; }}
.rc-controls .v-card__title {{ font-size: 16px; padding: 4px 8px 0 8px; line-height: 22px; }}
.rc-controls .v-card__text {{ padding: 2px 8px 6px 8px; }}
/* Campaigns A and B fit a 1280 x 720 projector without scrolling (14 px text, as everywhere):
   cards 6 px apart, a campaign's menus beside their labels, sliders 24 px high, the switch
   close to the menu (tests/test_browser_app.py measures it in both languages). */
.rc-controls > .d-flex {{ gap: 6px !important; }}
.rc-campaign .rc-menu {{ display: grid; grid-template-columns: minmax(0, 45%) minmax(0, 1fr);
  align-items: center; column-gap: 6px; }}
.rc-controls .v-slider {{ min-height: 24px; }}
.rc-controls .v-input__slot {{ margin-bottom: 0 !important; }}
.rc-controls .v-messages {{ display: none; }}
.rc-controls .v-input--switch {{ margin-top: 4px; padding-top: 0; }}
.rc-controls .v-label, .rc-controls .v-select__selection, .rc-controls input,
.rc-controls .v-input, .rc-controls .v-btn {{ font-size: 14px !important; }}
.v-menu__content .v-list-item__title, .v-menu__content .v-list-item {{ font-size: 14px
  !important; white-space: normal; line-height: 18px; }}
/* Menus show their whole choice: a long name wraps, never an ellipsis (projector, bokmål). */
.rc-controls .v-select__selection {{ white-space: normal; overflow: visible;
  text-overflow: clip; line-height: 18px; margin: 3px 4px 3px 0 !important; }}
.rc-controls .v-select.v-input--dense .v-select__selection--comma {{ margin: 3px 4px 3px 0; }}
/* The seed field's label keeps its 14 px when it floats (Vuetify scales it to 75 %). */
.rc-controls .v-text-field .v-label--active {{ transform: translateY(-20px) scale(1) !important; }}
.rc-controls .reclamare-seed {{ padding-top: 18px; }}
.rc-controls .v-slider__thumb-label {{ font-size: 14px !important; width: 38px !important;
  height: 38px !important; }}
.rc-main {{ flex: 1; min-width: 0; height: 100vh; overflow-y: auto; padding: 0 10px 10px 10px; }}
/* The run bar holds ten pieces in one line at 1280 px, in bokmål too: buttons padded 9 px
   (Vuetify's 16 px left no room for the markets box), 5 px apart. */
.rc-bar {{ display: flex; align-items: center; gap: 5px; height: 48px; flex-wrap: nowrap; }}
.rc-bar .v-btn {{ font-size: 15px !important; }}
.rc-bar .v-btn {{ text-transform: none; letter-spacing: normal; }}
.rc-bar .v-btn:not(.rc-back) {{ padding: 0 9px !important; }}
.rc-bar .rc-lang .v-btn {{ min-width: 40px !important; }}
.rc-week {{ font-size: 20px; font-weight: 600; min-width: 112px; white-space: nowrap; }}
.rc-nav {{ display: flex; align-items: center; gap: 4px; white-space: nowrap; flex: none; }}
.rc-nav .rc-back {{ min-width: 36px !important; padding: 0 6px !important; }}
.rc-goto {{ width: 48px; flex: none; margin: 0 !important; padding: 0 !important; }}
.rc-goto .v-input__slot {{ border: 1px solid #1976d2; border-radius: 4px; padding: 0 4px; }}
.rc-goto .v-input__slot:before, .rc-goto .v-input__slot:after {{ display: none; }}
.rc-goto input {{ font-size: 16px !important; text-align: center; }}
.rc-goto-label {{ font-size: 14px; }}
/* Run 20 times in plausible markets: a checkbox beside the button (sim/viz/markets.py). */
.rc-markets {{ flex: none; }}
.rc-markets .v-input {{ margin: 0 !important; padding: 0 !important; }}
.rc-markets .v-input__slot {{ margin: 0 !important; }}
.rc-markets .v-input--selection-controls__input {{ margin-right: 2px !important; }}
.rc-markets .v-messages {{ display: none; }}
.rc-markets .v-label {{ font-size: 14px !important; white-space: nowrap; color: #333; }}
.rc-status {{ font-size: 14px; color: #555; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; min-width: 0; flex: 1; }}
.rc-top {{ display: grid; gap: 8px; align-items: start; }}
.rc-top.rc-two {{ grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) 392px; }}
.rc-top.rc-one {{ grid-template-columns: minmax(0, 1.3fr) minmax(330px, 1fr); }}
.rc-charts {{ display: grid; gap: 10px; margin-top: 6px;
  grid-template-columns: repeat(var(--rc-charts, 3), minmax(0, 1fr)); }}
.rc-net-title {{ font-size: 16px; font-weight: 600; line-height: 22px; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }}
.rc-score {{ border-collapse: collapse; font-size: 14px; width: 100%; }}
.rc-score th, .rc-score td {{ padding: 1px 5px; text-align: right; white-space: nowrap; }}
.rc-score th:first-child, .rc-score td:first-child {{ text-align: left; }}
.rc-score tr:nth-child(even) {{ background: #f3f3f3; }}
.rc-score th {{ border-bottom: 1px solid #ccc; }}
.rc-score td[title] {{ cursor: help; }}
.rc-score tr.rc-media td {{ text-align: left; }}
.rc-legend {{ font-size: 14px; line-height: 22px; margin-top: 4px; }}
.rc-legend span {{ white-space: nowrap; margin-right: 10px; }}
.rc-help {{ font-size: 14px; color: #444; }}
.rc-control {{ margin-top: 2px; }}
.rc-control-label {{ font-size: 14px; line-height: 18px; }}
.rc-i {{ display: inline-block; width: 18px; height: 18px; line-height: 16px;
  border: 1px solid #1976d2; border-radius: 50%; text-align: center;
  color: #1976d2; font-size: 14px; cursor: help; }}
.rc-message {{ font-size: 14px; min-height: 20px; color: #b00020; }}
.reclamare-prose {{ font-size: 14px; line-height: 1.45; }}
.reclamare-prose table {{ border-collapse: collapse; font-size: 14px; }}
.reclamare-prose td, .reclamare-prose th {{ border: 1px solid #ddd; padding: 2px 6px; }}
"""

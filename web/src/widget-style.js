// The widget's styles, applied inside its shadow root so host pages neither disturb nor are disturbed.

export const CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.gw { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1b1f; }
button, textarea, input { font: inherit; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.gw-launcher {
  position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  border: 0; border-radius: 999px; padding: 14px 20px; cursor: pointer;
  background: #1d3a8a; color: #fff; font-weight: 600; box-shadow: 0 6px 20px rgba(0,0,0,.25);
}
.gw-launcher:hover { background: #162d6b; }
.gw-panel {
  position: fixed; right: 20px; bottom: 20px; z-index: 2147483001;
  width: 420px; max-width: calc(100vw - 40px); height: calc(100vh - 40px); max-height: 860px;
  display: flex; flex-direction: column; background: #fff; border-radius: 14px;
  box-shadow: 0 12px 40px rgba(0,0,0,.3); overflow: hidden;
  overflow: clip; /* not even scrollIntoView may shift the header out of sight */
}
.gw-panel[hidden], .gw-launcher[hidden] { display: none; }
.gw-head { display: flex; align-items: flex-start; gap: 8px; padding: 12px 14px; background: #1d3a8a; color: #fff; }
.gw-head h2 { margin: 0; font-size: 16px; }
.gw-head p { margin: 2px 0 0; font-size: 13px; opacity: .9; }
.gw-close {
  margin-left: auto; border: 0; background: transparent; color: #fff; cursor: pointer;
  font-size: 22px; line-height: 1; padding: 2px 8px; border-radius: 6px;
}
.gw-close:hover { background: rgba(255,255,255,.15); }
.gw-privacy { margin: 0; padding: 6px 14px; font-size: 12px; background: #eef2fb; color: #26334d; }
.gw-privacy.gw-short { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; cursor: pointer; }
.gw-status { margin: 0; padding: 6px 14px; font-size: 13px; background: #fff4e5; color: #7a3e00; }
.gw-status:empty { display: none; }
.gw-log { position: relative; flex: 1; min-height: 0; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; background: #f7f8fa; }
.gw-msg { max-width: 92%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.gw-msg .gw-who { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.gw-user { align-self: flex-end; background: #1d3a8a; color: #fff; border-bottom-right-radius: 4px; }
.gw-bot { align-self: flex-start; background: #fff; border: 1px solid #dde1ea; border-bottom-left-radius: 4px; }
.gw-typing { align-self: flex-start; font-size: 13px; color: #4b5563; font-style: italic; }
.gw-replies { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; white-space: normal; }
.gw-reply {
  border: 1px solid #1d3a8a; background: #fff; color: #1d3a8a; border-radius: 999px;
  padding: 5px 12px; cursor: pointer; font-size: 14px; text-align: left;
}
.gw-reply:hover { background: #eef2fb; }
.gw-cards { list-style: none; margin: 8px 0 0; padding: 0; display: flex; flex-direction: column; gap: 8px; white-space: normal; }
.gw-card { border: 1px solid #c9d2e6; border-left: 4px solid #1d3a8a; border-radius: 8px; padding: 8px 10px; background: #fbfcff; }
.gw-card h3 { margin: 0 0 4px; font-size: 15px; }
.gw-card p, .gw-card ul { margin: 4px 0; font-size: 14px; }
.gw-card ul { padding-left: 18px; }
.gw-label { font-weight: 600; }
.gw-source { color: #4b5563; font-size: 13px; }
.gw-crit { list-style: none; padding-left: 0 !important; }
.gw-met { color: #166534; } .gw-not_met { color: #991b1b; } .gw-unknown { color: #6b4e00; }
.gw-cites { margin: 6px 0 0; padding-left: 22px; font-size: 13px; color: #374151; white-space: normal; }
.gw-cites a, .gw-doc a { color: #1d3a8a; }
.gw-card p { margin: 3px 0; }
.gw-more { margin: 4px 0 0; font-size: 13px; }
.gw-more summary, .gw-doc-lever summary { cursor: pointer; color: #1d3a8a; }
.gw-more[open] summary { margin-bottom: 2px; }
.gw-doc { white-space: normal; font-size: 14px; }
.gw-doc p, .gw-doc ul, .gw-doc ol { margin: 3px 0; }
.gw-doc ul, .gw-doc ol { padding-left: 20px; }
.gw-doc-title { font-weight: 700; font-size: 15px; }
.gw-doc-lever { border-top: 1px solid #dde1ea; padding: 4px 0; }
.gw-doc-lever summary { font-weight: 600; }
.gw-doc-note { font-size: 12px; color: #4b5563; font-style: italic; }
.gw-feedback { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-top: 6px; font-size: 13px; color: #4b5563; white-space: normal; }
.gw-thumb { display: inline-flex; align-items: center; border: 1px solid #c9ced8; background: #fff; color: #374151; border-radius: 6px; cursor: pointer; padding: 4px 8px; }
.gw-thumb:hover { border-color: #1d3a8a; color: #1d3a8a; }
.gw-thumb[aria-pressed="true"] { background: #eef2fb; border-color: #1d3a8a; }
.gw-reasons { border: 1px solid #dde1ea; border-radius: 8px; padding: 6px 10px; margin: 4px 0 0; width: 100%; }
.gw-reasons legend { font-size: 13px; padding: 0 4px; }
.gw-reasons label { display: block; margin: 2px 0; }
.gw-small { border: 1px solid #1d3a8a; background: #1d3a8a; color: #fff; border-radius: 6px; padding: 3px 10px; cursor: pointer; margin-top: 4px; }
.gw-download { display: inline-block; margin-top: 6px; color: #1d3a8a; }
.gw-form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #dde1ea; background: #fff; }
.gw-form textarea {
  flex: 1; resize: none; height: 46px; max-height: 120px; padding: 11px 10px; border: 1px solid #9aa3b5; border-radius: 10px;
  font-size: 16px; /* 16px: phones do not zoom in on focus */
}
.gw-send { border: 0; border-radius: 10px; padding: 0 16px; background: #1d3a8a; color: #fff; font-weight: 600; cursor: pointer; }
.gw-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (min-width: 1200px) and (min-height: 760px) { .gw-panel { width: 480px; } }
@media (max-width: 480px) {
  .gw-panel { right: 0; bottom: 0; width: 100vw; max-width: 100vw; height: 100%; max-height: 100%; border-radius: 0; }
  .gw-launcher { right: 12px; bottom: 12px; }
}
@media (prefers-reduced-motion: no-preference) { .gw-log { scroll-behavior: smooth; } }
`;

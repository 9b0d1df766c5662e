#include "portal/portal_assets.hpp"

namespace certd::portal {
namespace {

// Every text colour keeps a contrast of at least 4.5:1 against its
// background (WCAG 2.1 AA); muted text is #4a5a70 (7.0:1 on white, 6.5:1
// on the page). Checked by axe-core in tests/browser.
constexpr std::string_view k_css = R"css(*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",sans-serif;font-size:16px;line-height:1.5;
background:#f3f6fa;color:#1b2a41}
a{color:#1f5fa8}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #1f5fa8;outline-offset:2px}
.wrap{max-width:760px;margin:0 auto;padding:0 20px}
.site{background:#1b3a5c;color:#fff}
.site .wrap{display:flex;align-items:center;justify-content:space-between;gap:4px 12px;min-height:64px;flex-wrap:wrap;
padding-top:10px;padding-bottom:10px}
.brand{display:flex;align-items:center;gap:10px;color:#fff;text-decoration:none;font-weight:700;font-size:18px}
.brand svg{flex:none}
.tagline{color:#c8d6e8;font-size:14px}
main.wrap{padding-top:32px;padding-bottom:8px}
.card{background:#fff;border:1px solid #d9e1ea;border-radius:12px;box-shadow:0 1px 3px rgba(27,42,65,.08);
padding:28px 32px;margin-bottom:20px}
h1{font-size:26px;line-height:1.25;margin:0 0 8px}
h2{font-size:20px;line-height:1.3;margin:0 0 8px}
p{margin:0 0 12px}
.lead{color:#4a5a70;font-size:17px;margin-bottom:24px}
.eyebrow{color:#4a5a70;font-size:14px;letter-spacing:.02em;margin:0 0 4px}
.mono{font-family:"DejaVu Sans Mono",ui-monospace,monospace;letter-spacing:.03em}
.result-head{display:flex;align-items:flex-start;gap:16px;margin-bottom:12px}
.mark{flex:none;display:flex;align-items:center;justify-content:center;width:48px;height:48px;border-radius:50%;
font-size:26px;font-weight:700}
.valid .mark{background:#e2f6e9;color:#17663a}
.revoked .mark{background:#fde8e8;color:#9b1c1c}
.expired .mark,.typo .mark{background:#fff4dc;color:#7a4f00}
.unknown .mark{background:#eceff3;color:#3c4a5e}
.badge{display:inline-block;padding:4px 12px;border-radius:999px;font-weight:700;font-size:14px}
.badge.valid{background:#e2f6e9;color:#17663a}
.badge.revoked{background:#fde8e8;color:#9b1c1c}
.badge.expired{background:#fff4dc;color:#7a4f00}
.status-line{font-size:17px}
.certificate-title{margin-top:20px;overflow-wrap:anywhere}
.revoked .status-line,.notice-revoked{color:#9b1c1c}
dl{display:grid;grid-template-columns:minmax(110px,160px) 1fr;gap:8px 16px;margin:20px 0 0;padding-top:20px;
border-top:1px solid #e3e9f0}
dt{color:#4a5a70}
dd{margin:0;font-weight:600;overflow-wrap:anywhere}
form{margin-top:8px}
label{display:block;font-weight:700;margin-bottom:6px}
.hint{color:#4a5a70;font-size:14px;margin:6px 0 0}
.field{display:flex;gap:10px;flex-wrap:wrap}
input[type=text]{flex:1 1 260px;min-width:0;font:inherit;font-size:18px;padding:10px 12px;border:2px solid #6b7a8f;
border-radius:8px;color:#1b2a41;background:#fff;text-transform:uppercase}
button,.button{display:inline-block;font:inherit;font-weight:700;padding:10px 20px;border-radius:8px;border:2px solid #1f5fa8;
background:#1f5fa8;color:#fff;text-decoration:none;cursor:pointer}
.button.secondary{background:#fff;color:#1f5fa8}
.actions{display:flex;gap:12px;flex-wrap:wrap;margin-top:20px}
.error-text{color:#9b1c1c;font-weight:700;margin:8px 0 0}
.steps{margin:0;padding-left:20px}
.steps li{margin-bottom:6px}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
footer{color:#4a5a70;font-size:14px;padding:8px 20px 32px}
@media (max-width:520px){
.card{padding:20px 18px;border-radius:10px}
h1{font-size:22px}
dl{grid-template-columns:1fr;gap:2px}
dd{margin-bottom:10px}
}
)css";

// A seal with a tick: the portal's mark, also its favicon.
constexpr std::string_view k_icon = R"svg(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32"><circle cx="16" cy="16" r="15" fill="#1f5fa8"/><circle cx="16" cy="16" r="11.5" fill="none" stroke="#fff" stroke-width="1.5" stroke-dasharray="2 2"/><path d="M10 16.5l4 4 8-9" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>
)svg";

}  // namespace

std::string_view portal_stylesheet() { return k_css; }
std::string_view portal_icon_svg() { return k_icon; }

}  // namespace certd::portal

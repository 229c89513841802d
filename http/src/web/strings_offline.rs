//! The offline forum page's own words (issue #18 §1), by their ids in the message catalogues
//! (`http/locales/*.ftl`, section `#18 §1 offline capture`). Most are used by `assets/offline.js`, which
//! receives them as JSON with their variables left as `{n}`, `{when}`, `{why}`, `{title}`, `{date}`.

use super::i18n::Tr;

pub const OFFLINE_HEADING: Tr = Tr("offline-heading");
pub const OFFLINE_NONE_WAITING: Tr = Tr("offline-none-waiting");
pub const OFFLINE_WAITING_N: Tr = Tr("offline-waiting-n");
pub const OFFLINE_REFUSED_N: Tr = Tr("offline-refused-n");
pub const OFFLINE_NEVER: Tr = Tr("offline-never");
pub const OFFLINE_LAST_OK: Tr = Tr("offline-last-ok");
pub const OFFLINE_LAST_FAILED: Tr = Tr("offline-last-failed");
pub const OFFLINE_NO_CONNECTION: Tr = Tr("offline-no-connection");
pub const OFFLINE_WHY_NETWORK: Tr = Tr("offline-why-network");
pub const OFFLINE_WHY_SIGNED_OUT: Tr = Tr("offline-why-signed-out");
pub const OFFLINE_WHY_SERVER: Tr = Tr("offline-why-server");
pub const OFFLINE_SIGN_IN: Tr = Tr("offline-sign-in");
pub const OFFLINE_KEPT: Tr = Tr("offline-kept");
pub const OFFLINE_SENT: Tr = Tr("offline-sent");
pub const OFFLINE_REFUSED: Tr = Tr("offline-refused");
pub const OFFLINE_FIX: Tr = Tr("offline-fix");
pub const OFFLINE_DISCARD: Tr = Tr("offline-discard");
pub const OFFLINE_DISCARD_CONFIRM: Tr = Tr("offline-discard-confirm");
pub const OFFLINE_SEND_NOW: Tr = Tr("offline-send-now");
pub const OFFLINE_SENDING: Tr = Tr("offline-sending");
pub const OFFLINE_PROBLEMS_N: Tr = Tr("offline-problems-n");
pub const OFFLINE_UNTITLED: Tr = Tr("offline-untitled");
pub const OFFLINE_FIXING: Tr = Tr("offline-fixing");
pub const OFFLINE_NO_STORAGE: Tr = Tr("offline-no-storage");
pub const OFFLINE_OTHER_USER: Tr = Tr("offline-other-user");
pub const OFFLINE_SIGNED_OUT_SERVER: Tr = Tr("offline-signed-out-server");
pub const OFFLINE_AREA_NOT_YOURS: Tr = Tr("offline-area-not-yours");

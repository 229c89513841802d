"""Schemathesis hooks for the fuzz test (fuzz.rs): a valid request keeps the rules no schema can state.

The document states every rule of a single value (lengths, patterns, enums, formats). What it cannot state
depends on the data or the clock, and a well-behaved client keeps it: it names an area, category and forum
that exist, sends instants that are not in the future (nor, for an action, before the issue was raised),
uses each idempotency key for one request only, sends back only cursors it was given, names a complainant
either by a person record that exists or by a new person's details (with a name, a phone and a national
id that check), and gives a reason when it asks for an export with personal data. These hooks make
the generated *valid* requests do the same, with the data fuzz.rs seeded; invalid requests go out as
generated, so the server's refusals are still tested.
"""

import os
import uuid
from datetime import date, datetime, timedelta, timezone

import schemathesis
from schemathesis.core.parameters import ParameterLocation

AREA = os.environ["FUZZ_AREA"]
HOME = os.environ["FUZZ_HOME"]
FORUM = os.environ["FUZZ_FORUM"]
SUBJECT = os.environ["FUZZ_SUBJECT"]
ORGANISATION = os.environ["FUZZ_ORGANISATION"]
AGENCY = os.environ["FUZZ_AGENCY"]
# Agencies of these levels cover at least one district (issue #17); regional and national ones may cover all.
LOCAL_LEVELS = ("tambon", "amphoe", "province")
# Issue #17: an original the seeded issue may duplicate, and a problem closed as resolved the community judges.
ORIGINAL = os.environ["FUZZ_ORIGINAL"]
CLOSED = os.environ["FUZZ_CLOSED"]
MAX_PARTICIPANTS = 100_000
RAISED_AT = os.environ["FUZZ_RAISED_AT"]
CATEGORY = "LIV"
# A coordinator's obstacle takes a category of its own kind (issue #16).
OBSTACLE_CATEGORY = "OBS_BUDGET"
BANGKOK = timezone(timedelta(hours=7))

# A file the server accepts (issue #17 §4): its kind is judged by its content, which no schema states.
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
UPLOAD = "/api/issues/{id}/attachments"

# Issue #18 §2: a spreadsheet the server imports (its content is checked against the data, which no schema states).
IMPORTS = "/api/imports"


def imports(case):
    """A CSV of one valid row in the seeded area, dated yesterday (Buddhist Era), as the body generated."""
    yesterday = bangkok_today() - timedelta(days=1)
    text = f"พื้นที่,วันที่,ประเภท,เรื่อง\n{AREA},{yesterday.day}/{yesterday.month}/{yesterday.year + 543},{CATEGORY},fuzz import\n"
    case.body = text.encode("utf-8") if isinstance(case.body, bytes) or case.body is None else text
    if case.query:
        # A sheet is read only from a workbook; UTF-8 is what the body is in.
        case.query.pop("sheet", None)
        case.query.pop("encoding", None)


ACTIONS = {
    "/api/issues/{id}/" + a for a in ("assign", "address", "close", "reopen", "correct", "restrict", "waiting")
}
ASSIGN = "/api/issues/{id}/assign"
CORRECT = "/api/issues/{id}/correct"


def instant(text):
    """An RFC 3339 instant, or None when Python cannot read it (then it is replaced, to be safe)."""
    try:
        return datetime.fromisoformat(text.upper())
    except (TypeError, ValueError):
        return None


def day(text):
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def era_day(text):
    """A window's day as the server reads it (see `common_era`)."""
    return common_era(day(text))


def common_era(d):
    """A day as the server reads it: years from 2400 on are Buddhist Era (2406-12-21 is 1863-12-21)."""
    if d is None or d.year < 2400:
        return d
    try:
        return d.replace(year=d.year - 543)
    except ValueError:
        return d.replace(year=d.year - 543, day=28)


def bangkok_today():
    return datetime.now(BANGKOK).date()


def not_in_future(value, floor=None):
    """`value` if it is an instant between `floor` and now, else the seeded issue's raise (valid for both)."""
    at = instant(value)
    if at is None or at > datetime.now(timezone.utc) or (floor is not None and at < floor):
        return RAISED_AT
    return value


def given(value):
    return isinstance(value, str) and value.strip() != ""


def complainant(c):
    """A person recorded before (the seeded one) or a new person's details, as the server takes them."""
    if not isinstance(c, dict):
        return
    if any(given(c.get(k)) for k in ("name", "phone", "address", "national_id", "notes")):
        c.pop("subject_id", None)
        if not given(c.get("name")):
            c["name"] = "fuzz"
        if given(c.get("phone")):
            c["phone"] = "081-234-5678"
        if given(c.get("national_id")):
            c["national_id"] = "1101700230708"
    elif given(c.get("subject_id")):
        c["subject_id"] = SUBJECT


def participation(p, head):
    """Who took part, kept to what no schema states: organisations of the registry, women and men within
    the villagers, and the people counted within the head count (and the bound)."""
    if not isinstance(p, dict):
        return
    if p.get("organisations"):
        p["organisations"] = [ORGANISATION]

    def whole(v):
        if isinstance(v, bool):
            return 0
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v if isinstance(v, int) else 0

    def n(key):
        return whole(p.get(key))

    gendered = n("villagers_women") + n("villagers_men")
    if gendered > n("villagers"):
        if gendered <= MAX_PARTICIPANTS:
            p["villagers"] = gendered
        else:
            p["villagers_women"] = None
            p["villagers_men"] = None
    leaders = p.get("leaders") if isinstance(p.get("leaders"), dict) else {}
    total = n("sbpac_staff") + n("coordinators") + sum(whole(v) for v in leaders.values()) + n("villagers")
    head = whole(head) if head is not None else None
    limit = min(MAX_PARTICIPANTS, head) if head is not None else MAX_PARTICIPANTS
    if total > limit:
        for key in ("sbpac_staff", "coordinators", "villagers"):
            if key in p:
                p[key] = 0
        p["villagers_women"] = None
        p["villagers_men"] = None
        if "leaders" in p:
            p["leaders"] = {}


def progress_query(query):
    """A progress report's period that has begun by the report's day, in a scope that exists (the seeded
    area, or everything), with valid period fields whichever period is asked for."""
    query.pop("as_of", None)
    today = bangkok_today()
    if "month" in query:
        query["month"] = today.strftime("%Y-%m")
    if "quarter" in query:
        query["quarter"] = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    if "fiscal_year" in query:
        query["fiscal_year"] = str(today.year + 543 + (1 if today.month >= 10 else 0))
    if query.get("period") == "custom" or "from" in query or "to" in query:
        query["from"], query["to"] = "2020-01-01", today.isoformat()
    if query.get("scope") == "area":
        query["scope_id"] = AREA
    else:
        query.pop("scope", None)
        query.pop("scope_id", None)


@schemathesis.hook
def before_call(context, case, kwargs):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    path, method = case.operation.path, case.method.upper()
    open311(case)  # Issue #18 §5 (defined at the end).

    key = next((k for k in case.headers or {} if k.lower() == "idempotency-key"), None)
    if key is not None:
        case.headers[key] = f"fuzz-{uuid.uuid4()}"

    query = case.query
    if query:
        query.pop("cursor", None)
        if "as_of" in query:
            query["as_of"] = not_in_future(query["as_of"])
        if path == "/api/audit/events" and "after" in query:
            # A position only counts if an event is stored there; 0 is the start of the log.
            query["after"] = 0
        if path == "/api/audit/events":
            # One cursor, the one of the order (`after` oldest first, `before` newest first); newest first
            # starts at the newest event, as a client that was given no cursor does.
            query.pop("before", None)
            if query.get("order") == "desc":
                query.pop("after", None)
        if path == "/api/issues/export" and query.get("personal") == "include" and "reason" not in query:
            query["reason"] = "fuzz"
        if path.startswith("/api/reports/progress"):
            progress_query(query)
        if path == "/api/routing-rules/suggest":
            # A category and an area that exist (#17).
            query["category"], query["area"] = CATEGORY, AREA
        for first, last in (("from", "to"), ("raised_from", "raised_to"), ("closed_from", "closed_to")):
            low, high = era_day(query.get(first)), era_day(query.get(last))
            if low is not None and high is not None and low > high:
                query[first], query[last] = query[last], query[first]

    if path == IMPORTS and method == "POST":
        imports(case)
        return

    body = case.body
    if not isinstance(body, dict):
        return
    if path == "/api/issues" and method == "POST":
        body["area_id"] = AREA
        body["category"] = CATEGORY
        if "forum_id" in body:
            body["forum_id"] = FORUM
        if isinstance(body.get("at"), str):
            body["at"] = not_in_future(body["at"])
        complainant(body.get("complainant"))
    elif path == "/api/obstacles" and method == "POST":
        # The coordinator's own area (only a coordinator raises one: the others' 403 is documented).
        body["area_id"] = AREA
        body["category"] = OBSTACLE_CATEGORY
        if isinstance(body.get("at"), str):
            body["at"] = not_in_future(body["at"])
    elif path in ACTIONS:
        if isinstance(body.get("at"), str):
            body["at"] = not_in_future(body["at"], floor=instant(RAISED_AT))
        if isinstance(body.get("due_on"), str):
            at = instant(body["at"]) if isinstance(body.get("at"), str) else datetime.now(timezone.utc)
            assigned = at.astimezone(BANGKOK).date()
            due = common_era(day(body["due_on"]))
            if due is None or due < assigned:
                body["due_on"] = assigned.isoformat()
        if path == ASSIGN:
            # An agency that exists; no routing rule (one must route this very problem's category and district);
            # and a person or an agency named (issue #17: rules no schema states).
            body.pop("rule", None)
            if given(body.get("agency")):
                body["agency"] = AGENCY
            else:
                body.pop("agency", None)
                if not given(body.get("assignee")):
                    body["assignee"] = "fuzz"
        if path == CORRECT:
            # A correction must change something (a rule no schema states) and name a category that exists.
            if "category" in body:
                body["category"] = CATEGORY
            body["title"] = f"fuzz {uuid.uuid4()}"
    elif path == UPLOAD and method == "POST":
        # A real document (if a file is sent at all), attached to the problem itself (an action must be one the
        # issue has).
        # Only a body generated valid (the coverage phase also marks a positive case whose body is the invalid
        # component), and only a file sent as a file.
        body_negative = getattr(meta, "is_negative_at", lambda _: False)(ParameterLocation.BODY)
        if not body_negative and isinstance(body.get("file"), (bytes, str)):
            # Of the type generated: schemathesis validates the body it sent against the schema again, and a
            # generated text replaced by bytes would count as a schema-violating request.
            body["file"] = PDF.decode("ascii") if isinstance(body["file"], str) else PDF
        body.pop("action", None)
    elif path == "/api/forums" and method == "POST":
        body["area_id"] = AREA
        held = day(body.get("held_on"))
        if held is not None and held > bangkok_today():
            body["held_on"] = "2020-01-01"
        participants = body.get("participants")
        if isinstance(participants, float) and participants.is_integer():
            participants = int(participants)
        participation(body.get("participation"), participants)
    elif path == "/api/forums/{id}/participation":
        # The seeded forum has no head count.
        participation(body, None)
    elif path == "/api/issues/{id}/duplicate":
        # An original that exists (not the issue itself), at an instant between the raise and now.
        body["of"] = ORIGINAL
        if isinstance(body.get("at"), str):
            body["at"] = not_in_future(body["at"], floor=instant(RAISED_AT))
    elif path == "/api/forums/{id}/verdicts" and method == "POST":
        # One verdict on the closed problem (each problem once), a reason when disputed.
        entries = body.get("verdicts")
        if isinstance(entries, list) and entries and isinstance(entries[0], dict):
            entry = entries[0]
            entry["issue_id"] = CLOSED
            if entry.get("verdict") == "disputed" and not str(entry.get("reason") or "").strip():
                entry["reason"] = "fuzz"
            if isinstance(entry.get("at"), str):
                entry["at"] = not_in_future(entry["at"], floor=instant(RAISED_AT))
            body["verdicts"] = [entry]
    elif path == "/api/organisations" and method == "POST":
        # Areas that exist (the coordinator's own); a Thai name no other organisation has.
        body["area_ids"] = [AREA]
        body["name_th"] = f"fuzz {uuid.uuid4()}"
    elif path == "/api/organisations/{id}" and method == "PATCH":
        if "area_ids" in body:
            body["area_ids"] = [AREA]
        if "name_th" in body:
            body["name_th"] = f"fuzz {uuid.uuid4()}"
    elif path == "/api/agencies" and method == "POST":
        # A Thai name no other agency has; a local agency covers a district (issue #17).
        body["name_th"] = f"fuzz {uuid.uuid4()}"
        if body.get("level") in LOCAL_LEVELS and not body.get("districts"):
            body["districts"] = ["9401"]
    elif path == "/api/agencies/{id}" and method == "PATCH":
        # The seeded agency is national (no district); a change to a local level names one.
        if "name_th" in body:
            body["name_th"] = f"fuzz {uuid.uuid4()}"
        if body.get("level") in LOCAL_LEVELS and not body.get("districts"):
            body["districts"] = ["9401"]
        # No districts at all is refused whatever the level (`no_districts`, a rule no schema states): the
        # seeded agency keeps the district it has.
        if body.get("districts") == []:
            body.pop("districts")
    elif path == "/api/notifications/channels" and method == "POST":
        # A webhook somewhere else than this server, with a key of the length asked (no SMTP server is set in
        # the tests, so an e-mail channel is refused as `smtp_not_configured`); every area (issue #17).
        body["kind"] = "webhook"
        body["target"] = "http://127.0.0.1:9/santisuk-fuzz"
        body["secret"] = "fuzz-secret-0123456789"
        body.pop("user_id", None)
        body.pop("agency_id", None)
    elif path == "/api/routing-rules" and method == "POST":
        body["category"] = CATEGORY
        body["agency"] = AGENCY
    elif path == "/api/areas/{id}/reach":
        # Reached from an area that exists, is not the seeded area itself and is never marked (so no cycle),
        # on a day that is not in the future.
        body["from"] = HOME
        on = day(body.get("on"))
        if on is None or on > bangkok_today():
            body["on"] = "2020-01-01"
    elif path == "/api/areas" and method == "POST":
        # A subdistrict code begins with its district's code.
        if isinstance(body.get("tambon_code"), str) and isinstance(body.get("amphoe_code"), str):
            body["amphoe_code"] = body["tambon_code"][:4]
    elif path == "/api/users" and method == "POST":
        # Coordinators work in areas that exist; nobody else has areas.
        body["areas"] = [AREA] if body.get("role") == "coordinator" else []
    elif path == "/api/users/{id}/areas":
        # The target is a coordinator (fuzz.rs), who needs one area at least, and areas that exist.
        body["areas"] = [AREA]
    elif path == "/api/users/{id}/categories":
        # The target is an auditor (fuzz.rs), who may be granted categories, and categories that exist.
        body["categories"] = [CATEGORY]


# Issue #18 §5: Open311. A well-behaved client sends its key once (the run's bearer token), a window of at
# most 90 days that is not in the future, statuses the specification names, and files a request in an
# area it works in with a description; no personal data (its own checks are tested in open311.rs).
OPEN311_LIST = "/open311/v2/requests.{format}"


def open311(case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    path, method = case.operation.path, case.method.upper()
    if not path.startswith("/open311/"):
        return
    query = case.query
    if query:
        query.pop("api_key", None)
    if path == OPEN311_LIST and method == "GET" and query:
        now = datetime.now(timezone.utc).replace(microsecond=0)
        if "start_date" in query or "end_date" in query:
            query["start_date"] = (now - timedelta(days=30)).isoformat().replace("+00:00", "Z")
            query["end_date"] = now.isoformat().replace("+00:00", "Z")
        if "status" in query:
            query["status"] = "open,closed"
        if "service_request_id" in query:
            query["service_request_id"] = ORIGINAL
    if path == OPEN311_LIST and method == "POST" and isinstance(case.body, dict):
        case.body.clear()
        case.body.update({"service_code": CATEGORY, "address_id": AREA, "description": "ถนนชำรุด (fuzz)"})


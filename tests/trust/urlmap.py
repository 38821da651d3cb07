"""Every URL the portal serves, made concrete with real objects.

The URLconf is walked from the root resolver, so a URL added tomorrow is in the list tomorrow.
Each parameter of a pattern is filled from `parameter_values`; a parameter nobody has taught this
module about fails the tests that use it, with the pattern named, rather than being skipped.
"""

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from consent.wizard import STEP_SLUGS

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
PARAMETER = re.compile(
    r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>"  # path("<int:pk>/")
    r"|\(\?P<(?P<regex_name>\w+)>(?P<regex>[^)]*)\)"  # re_path(r"(?P<app_label>a|b)/")
)
ADMIN_MODEL_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")
MISSING = "999999"


@dataclass(frozen=True)
class Route:
    """One pattern of the URLconf: its full route and its name (with namespaces)."""

    route: str
    name: str
    parameters: tuple[str, ...]
    regex_choices: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


@dataclass(frozen=True)
class Target:
    """A concrete URL, and whose personal data it addresses (a patient key, or None)."""

    url: str
    route: Route
    owner: str | None = None
    extra: str = ""  # why this variant exists, for messages
    addressed: bool = True  # False when the owner is only named in a search query


def _regex_choices(route: str) -> dict[str, list[str]]:
    choices = {}
    for match in PARAMETER.finditer(route):
        if match.group("regex_name"):
            body = match.group("regex")
            if re.fullmatch(r"[\w|-]+", body):
                choices[match.group("regex_name")] = body.split("|")
    return choices


def walk(resolver=None, prefix: str = "", namespace: str = "") -> list[Route]:
    """Every URLPattern under `resolver`, with its full route."""
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        text = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            found += walk(pattern, prefix + text, inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + text
            names = tuple(
                match.group("name") or match.group("regex_name")
                for match in PARAMETER.finditer(route)
            )
            found.append(
                Route(
                    route=route,
                    name=namespace + (pattern.name or ""),
                    parameters=names,
                    regex_choices=_regex_choices(route),
                )
            )
    return found


def _fill(route: str, values: dict[str, str]) -> str:
    def replace(match):
        return str(values[match.group("name") or match.group("regex_name")])

    path = PARAMETER.sub(replace, route)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + path


class UnknownParameter(LookupError):
    pass


def _admin_model(route: str):
    match = ADMIN_MODEL_ROUTE.match(route)
    if not match:
        return None
    try:
        return apps.get_model(match.group("app"), match.group("model"))
    except LookupError:
        return None


def parameter_values(route: Route, world) -> list[tuple[dict[str, str], str | None, str]]:
    """(values, owner, note) for each concrete URL of `route`."""
    names = set(route.parameters)
    if not names:
        return [({}, None, "")]
    records, invitations = world.records, world.invitations
    if names == {"token"}:
        return [
            ({"token": world.record_tokens["A"]}, None, "patient A's record link"),
            ({"token": world.record_tokens["B"]}, None, "patient B's record link"),
            ({"token": world.open_tokens["C"]}, None, "patient C's invitation link"),
            ({"token": world.open_tokens["A"]}, None, "A's used invitation link"),
            ({"token": "not-a-real-token"}, None, "unknown link"),
        ]
    if names == {"signature"} and route.name == "consent:reminders_stop":
        from consent.reminders import stop_signature

        # The page shows nothing of the patient's, so it has no owner to protect.
        return [
            ({"signature": stop_signature(invitations["C"].pk)}, None, "C's stop-reminders link"),
            ({"signature": "1:forged"}, None, "forged stop-reminders link"),
        ]
    if names == {"step"}:
        return [({"step": slug}, None, "") for slug in [*STEP_SLUGS, "no-such-step"]]
    if names == {"code"} and route.name == "language_switch":
        from django.conf import settings

        return [({"code": code}, None, "language") for code, _name in settings.LANGUAGES] + [
            ({"code": "xx"}, None, "no such language")
        ]
    if names == {"code"} and route.name.startswith("practice:"):
        return [
            ({"code": records["A"].code}, "A", "patient A's record"),
            ({"code": records["B"].code}, "B", "patient B's record"),
            ({"code": "CR-AAAA-BBBB"}, None, "no such record"),
        ]
    if names == {"pk"} and route.name.startswith("practice:"):
        return [
            ({"pk": invitations["A"].pk}, "A", "patient A's invitation"),
            ({"pk": invitations["B"].pk}, "B", "patient B's invitation"),
            ({"pk": invitations["C"].pk}, "C", "patient C's invitation"),
            ({"pk": MISSING}, None, "no such invitation"),
        ]
    if names == {"table"} and route.name == "practice:insight_csv":
        tables = ["funnel", "step-times", "missed-questions", "questions", "withdrawals"]
        return [({"table": table}, None, "") for table in [*tables, "no-such-table"]]
    slug = world.clinic["procedure"].slug
    if names == {"slug"}:
        return [({"slug": slug}, None, ""), ({"slug": "no-such-procedure"}, None, "")]
    if names == {"slug", "number"}:
        return [
            ({"slug": slug, "number": 1}, None, ""),
            ({"slug": slug, "number": 99}, None, ""),
            ({"slug": "no-such-procedure", "number": 1}, None, ""),
        ]
    if names == {"content_type_id", "object_id"}:  # admin's "view on site" redirect
        record = records["A"]
        procedure = world.clinic["procedure"]
        return [
            (
                {"content_type_id": ContentType.objects.get_for_model(obj).pk, "object_id": obj.pk},
                owner,
                type(obj).__name__,
            )
            for obj, owner in ((procedure, None), (record, "A"), (invitations["B"], "B"))
        ]
    if names == {"app_label"} and "app_label" in route.regex_choices:
        return [({"app_label": label}, None, "") for label in route.regex_choices["app_label"]]
    if names == {"url"}:  # admin's catch-all
        return [({"url": "no-such-admin-page/"}, None, "")]
    if names in ({"object_id"}, {"id"}, {"pk"}) and route.is_admin:
        model = _admin_model(route.route)
        if model is None:
            raise UnknownParameter(route)
        key = names.pop()
        return [({key: pk}, owner, model.__name__) for pk, owner in admin_objects(model, world)]
    raise UnknownParameter(route)


def admin_objects(model, world) -> list[tuple[str, str | None]]:
    """The object ids an admin URL of `model` is tried with, and whose data each one is."""
    from consent.models import ConsentDraft, ConsentEvent, ConsentInvitation, ConsentRecord

    if model is ConsentRecord:
        return [(world.records["A"].pk, "A"), (world.records["B"].pk, "B")]
    if model is ConsentEvent:
        return [(world.records[key].events.first().pk, key) for key in ("A", "B")]
    if model is ConsentInvitation:
        return [(world.invitations[key].pk, key) for key in ("A", "B", "C")]
    if model is ConsentDraft:
        return [(world.invitations["C"].draft.pk, "C")]
    first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return [(first if first is not None else MISSING, None)]


# The admin pages that show patients' data: each list, and each object's page.
PATIENT_DATA_MODELS = ("consentrecord", "consentevent", "consentinvitation")


def is_admin_patient_data_page(route: Route) -> bool:
    model = _admin_model(route.route)
    return (
        model is not None
        and model._meta.app_label == "consent"
        and model._meta.model_name in PATIENT_DATA_MODELS
        and route.name.endswith(("_changelist", "_change"))
    )


def targets(world) -> tuple[list[Target], list[Route]]:
    """Every concrete URL, and the routes that could not be made concrete."""
    found, unknown = [], []
    for route in walk():
        try:
            variants = parameter_values(route, world)
        except UnknownParameter:
            unknown.append(route)
            continue
        for values, owner, note in variants:
            found.append(
                Target(url=_fill(route.route, values), route=route, owner=owner, extra=note)
            )
    return found, unknown


# Queries that make a listing page show more than its default, per route name.
QUERY_VARIANTS = {
    "practice:dashboard": [
        ("?q={B_surname}", "B"),
        ("?q={A_surname}", "A"),
        ("?practitioner={Y_pk}&state=awaiting_countersignature", "B"),
        ("?sort=patient&page=2", None),
    ],
    "practice:export_csv": [("?practitioner={Y_pk}", "B"), ("?q={A_surname}", "A")],
    "consent:verify": [("?code={A_code}", None), ("?code=<b>x</b>", None)],
    "education:procedure_library": [("?q=meso", None), ("?q=%00", None)],
    "language_switch": [("?next=https://evil.example/", None), ("?next=//evil.example/", None)],
    "admin:consent_consentrecord_changelist": [("?q={A_surname}", "A")],
    "admin:consent_consentinvitation_changelist": [("?q={C_surname}", "C")],
}


def query_targets(world, base: list[Target]) -> list[Target]:
    from .conftest import PATIENTS

    values = {
        "A_code": world.records["A"].code,
        "Y_pk": world.practitioner_y.pk,
        **{f"{key}_surname": patient.name.split()[-1] for key, patient in PATIENTS.items()},
    }
    extra = []
    for target in base:
        for query, owner in QUERY_VARIANTS.get(target.route.name, []):
            extra.append(
                Target(
                    url=target.url + query.format(**values),
                    route=target.route,
                    owner=owner,
                    extra=f"query {query}",
                    addressed=False,
                )
            )
    return extra


def all_targets(world) -> tuple[list[Target], list[Route]]:
    base, unknown = targets(world)
    return base + query_targets(world, base), unknown

"""The translators' pages: completeness per locale, the entry editor, history with revert, .po download/upload."""

from __future__ import annotations

import hashlib
from typing import Any

from babel import Locale
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from catalogue.accounts.auth import role_required
from catalogue.accounts.models import Role
from catalogue.extensions import db
from catalogue.inputs import MAX_INT32, bounded_int, read_paging
from catalogue.problems import N_
from catalogue.security import is_safe_local_path
from catalogue.translating import service
from catalogue.translating.models import TranslationCatalogue, TranslationChange
from catalogue.translating.pofile import Entry, PoCatalogue, PoSyntaxError

bp = Blueprint("translate", __name__, url_prefix="/translate", template_folder="templates")

PAGE_SIZE = 50
STATES = ("all", "untranslated", "fuzzy", "translated", "warnings")
# CLDR plural categories, as translators see them next to each plural form.
CATEGORY_NAMES = {
    "zero": N_("zero"),
    "one": N_("one"),
    "two": N_("two"),
    "few": N_("few"),
    "many": N_("many"),
    "other": N_("other"),
}


@bp.before_request
@role_required(Role.TRANSLATOR)
def translators_only() -> None:
    """Every page here is for translators (and admins)."""


def editable_locales() -> list[str]:
    from flask import current_app

    return [
        loc
        for loc in current_app.config["LANGUAGES"]
        if loc != current_app.config["BABEL_DEFAULT_LOCALE"] and current_user.can_edit_locale(loc)
    ]


def _allowed(locale: str, domain: str) -> None:
    try:
        service.po_path(locale, domain)
    except LookupError:
        abort(404)
    if not current_user.can_edit_locale(locale):
        abort(403)


def entry_anchor(entry: Entry) -> str:
    return "entry-" + hashlib.sha1(f"{entry.context}\x04{entry.msgid}".encode()).hexdigest()[:12]


def plural_labels(catalogue: PoCatalogue, locale: str) -> list[dict[str, Any]]:
    """For each plural form: its CLDR category (one, other, …) and the numbers it covers."""
    samples: dict[int, list[int]] = {i: [] for i in range(catalogue.nplurals)}
    for n in range(0, 1000):
        index = catalogue.plural_index(n)
        if index in samples and len(samples[index]) < 5:
            samples[index].append(n)
    cldr = Locale.parse(locale)
    labels = []
    for index in range(catalogue.nplurals):
        numbers = samples[index]
        category = cldr.plural_form(numbers[0]) if numbers else "other"
        shown = ", ".join(str(n) for n in numbers) + (", …" if len(numbers) == 5 else "")
        labels.append({"category": _(CATEGORY_NAMES.get(category, category)), "numbers": shown})
    return labels


@bp.app_template_global()
def entry_value(entry: Entry) -> str | list[str]:
    return entry.msgstr_plural if entry.msgid_plural else entry.msgstr


@bp.get("/")
def dashboard() -> ResponseReturnValue:
    rows = []
    for locale in editable_locales():
        for domain in service.DOMAINS:
            try:
                catalogue, revision = service.load(locale, domain)
            except FileNotFoundError:
                continue
            counts = service.counts(catalogue)
            total = sum(counts.values()) or 1
            rows.append(
                {
                    "locale": locale,
                    "domain": domain,
                    "counts": counts,
                    "total": total,
                    "revision": revision,
                    "percent": {k: round(100 * v / total, 1) for k, v in counts.items()},
                }
            )
    return render_template("translate/dashboard.html", rows=rows)


def _matches(entry: Entry, q: str) -> bool:
    q = q.casefold()
    haystack = [entry.msgid, entry.msgid_plural or "", entry.context or "", *(entry.msgstr_plural or [entry.msgstr])]
    return any(q in text.casefold() for text in haystack)


@bp.get("/<locale>/<domain>")
def editor(locale: str, domain: str) -> ResponseReturnValue:
    _allowed(locale, domain)
    catalogue, revision = service.load(locale, domain)
    state = request.args.get("state", "all")
    state = state if state in STATES else "all"
    q = request.args.get("q", "").strip()
    shown = []
    for entry in catalogue.entries:
        errors, warnings = service.entry_problems(entry, catalogue, locale)
        status = "fuzzy" if entry.fuzzy else "translated" if entry.translated else "untranslated"
        if state in ("untranslated", "fuzzy", "translated") and status != state:
            continue
        if state == "warnings" and not (errors or warnings):
            continue
        if q and not _matches(entry, q):
            continue
        shown.append({"entry": entry, "status": status, "errors": errors, "warnings": warnings})
    paging = read_paging(PAGE_SIZE).within(len(shown))
    return render_template(
        "translate/editor.html",
        locale=locale,
        domain=domain,
        revision=revision,
        catalogue=catalogue,
        items=shown[paging.offset : paging.offset + paging.per_page],
        total=len(shown),
        page=paging.page,
        pages=paging.pages(len(shown)),
        state=state,
        q=q,
        plural_labels=plural_labels(catalogue, locale),
        entry_anchor=entry_anchor,
        states=STATES,
    )


def _submitted(catalogue: PoCatalogue) -> tuple[Entry, dict[str, Any]]:
    """The entry a form names (by its anchor: msgids may hold new lines, which forms would rewrite) and the
    submitted value, with the browser's CRLF new lines turned back into LF."""
    form = request.form
    entry = next((e for e in catalogue.entries if entry_anchor(e) == form.get("entry")), None)
    if entry is None:
        abort(404)
    value: dict[str, Any] = {"fuzzy": form.get("fuzzy") == "1"}
    if entry.msgid_plural:
        value["msgstr_plural"] = [form.get(f"msgstr_{i}", "").replace("\r\n", "\n") for i in range(catalogue.nplurals)]
    else:
        value["msgstr"] = form.get("msgstr", "").replace("\r\n", "\n")
    return entry, value


@bp.post("/<locale>/<domain>/entry")
def save(locale: str, domain: str) -> ResponseReturnValue:
    _allowed(locale, domain)
    catalogue, revision = service.load(locale, domain)
    entry, value = _submitted(catalogue)
    back = request.form.get("back")
    if not is_safe_local_path(back):  # Never an open redirect: only a path on this site.
        back = url_for("translate.editor", locale=locale, domain=domain)
    base = bounded_int(request.form.get("base_revision"), 0, 0, MAX_INT32)
    try:
        result = service.save_entry(
            locale,
            domain,
            current_user,
            msgid=entry.msgid,
            context=entry.context,
            msgstr=value.get("msgstr"),
            msgstr_plural=value.get("msgstr_plural"),
            fuzzy=value["fuzzy"],
            base_revision=base,
        )
    except service.StaleEdit as stale:
        last = db.session.scalar(
            select(TranslationChange)
            .join(TranslationCatalogue)
            .where(
                TranslationCatalogue.locale == locale,
                TranslationCatalogue.domain == domain,
                TranslationChange.msgid == entry.msgid,
            )
            .order_by(TranslationChange.id.desc())
        )
        return render_template(
            "translate/stale.html",
            entry_anchor=entry_anchor,
            locale=locale,
            domain=domain,
            entry=entry,
            mine=value,
            current=stale.current,
            revision=stale.revision,
            last=last,
            back=back,
            plural_labels=plural_labels(catalogue, locale),
        ), 409
    except service.CheckFailed as failed:
        item = {"entry": entry, "status": "translated", "errors": failed.errors, "warnings": failed.warnings}
        return render_template(
            "translate/refused.html",
            locale=locale,
            domain=domain,
            item=item,
            mine=value,
            revision=revision,
            back=back,
            plural_labels=plural_labels(catalogue, locale),
            entry_anchor=entry_anchor,
            catalogue=catalogue,
        ), 422
    if result.changed:
        flash(_("Saved. The site shows it from the next page on."), "success")
    for warning in result.warnings:
        flash(warning.message, "warning")
    return redirect(f"{back}#{entry_anchor(entry)}", 303)


@bp.get("/<locale>/<domain>/history")
def history(locale: str, domain: str) -> ResponseReturnValue:
    _allowed(locale, domain)
    state = service.catalogue_state(locale, domain)
    changes = db.session.scalars(
        select(TranslationChange)
        .where(TranslationChange.catalogue_id == state.id)
        .order_by(TranslationChange.id.desc())
        .limit(200)
    ).all()
    return render_template("translate/history.html", locale=locale, domain=domain, changes=changes)


@bp.post("/changes/<int:change_id>/revert")
def revert(change_id: int) -> ResponseReturnValue:
    change = db.session.get(TranslationChange, change_id)
    if change is None or change.msgid is None:
        abort(404)
    locale, domain = change.catalogue.locale, change.catalogue.domain
    _allowed(locale, domain)
    try:
        service.revert_change(change, current_user)
    except service.StaleEdit:
        flash(_("This entry changed again since; it was not reverted. Edit it instead."), "warning")
    except service.CheckFailed as failed:
        for problem in failed.errors:
            flash(problem.message, "warning")
    else:
        flash(_("Reverted."), "success")
    return redirect(url_for("translate.history", locale=locale, domain=domain), 303)


@bp.get("/<locale>/<domain>/download")
def download(locale: str, domain: str) -> ResponseReturnValue:
    _allowed(locale, domain)
    data, _revision = service.download_bytes(locale, domain)
    return Response(
        data,
        content_type="text/x-gettext-translation; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{domain}-{locale}.po"'},
    )


@bp.post("/<locale>/<domain>/upload")
def upload(locale: str, domain: str) -> ResponseReturnValue:
    _allowed(locale, domain)
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose a .po file to upload."), "warning")
        return redirect(url_for("translate.editor", locale=locale, domain=domain), 303)
    data = file.read()
    try:
        result = service.upload_catalogue(locale, domain, current_user, data)
    except PoSyntaxError as error:
        return render_template(
            "translate/upload_result.html", locale=locale, domain=domain, broken=error, filename=file.filename
        ), 422
    except service.CheckFailed as failed:
        return render_template(
            "translate/upload_result.html", locale=locale, domain=domain, failed=failed, filename=file.filename
        ), 422
    except service.StaleEdit as stale:
        return render_template(
            "translate/upload_result.html", locale=locale, domain=domain, stale=stale, filename=file.filename
        ), 409
    return render_template(
        "translate/upload_result.html", locale=locale, domain=domain, result=result, filename=file.filename
    )

"""The translators' pages: completeness per locale, the entry editor, history with revert, .po download/upload."""

from __future__ import annotations

import hashlib
from typing import Any

from babel import Locale
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from catalogue.accounts.auth import current_account, role_required
from catalogue.accounts.models import Role
from catalogue.inputs import MAX_INT32, bounded_int, read_paging
from catalogue.security import is_safe_local_path
from catalogue.translating import queries, services
from catalogue.translating.glossary import entry_glossary
from catalogue.translating.po_model import EntryEdit
from catalogue.translating.pofile import Entry, PoCatalogue, PoSyntaxError

bp = Blueprint("translate", __name__, url_prefix="/translate", template_folder="templates")
# The glossary's terms beside each entry of the editor (translate/_entry.html).
bp.add_app_template_global(entry_glossary, "entry_glossary")

PAGE_SIZE = 50


@bp.before_request
@role_required(Role.TRANSLATOR)
def translators_only() -> None:
    """Every page here is for translators (and admins)."""


def _allowed(locale: str, domain: str) -> None:
    try:
        queries.po_path(locale, domain)
    except LookupError:
        abort(404)
    if not current_account().can_edit_locale(locale):
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
        # CLDR's keyword (one, few, many, other) is a name, as in Poedit and the CLDR charts: never translated.
        labels.append({"category": category, "numbers": shown})
    return labels


@bp.app_template_global()
def entry_value(entry: Entry) -> str | list[str]:
    return entry.translation


@bp.get("/")
def dashboard() -> ResponseReturnValue:
    rows = queries.completeness(queries.editable_locales(current_account()))
    return render_template("translate/dashboard.html", rows=rows)


@bp.get("/<locale>/<domain>")
def editor(locale: str, domain: str) -> ResponseReturnValue:
    _allowed(locale, domain)
    catalogue, revision = queries.load(locale, domain)
    state = request.args.get("state", "all")
    state = state if state in queries.EDITOR_STATES else "all"
    q = request.args.get("q", "").strip()
    shown = queries.entries(catalogue, state=state, q=q, locale=locale)
    paging = read_paging(PAGE_SIZE).within(len(shown))
    return render_template(
        "translate/editor.html",
        locale=locale,
        domain=domain,
        revision=revision,
        catalogue=catalogue,
        items=queries.with_problems(paging.window(shown), catalogue, locale),
        total=len(shown),
        page=paging.page,
        pages=paging.pages(len(shown)),
        state=state,
        q=q,
        plural_labels=plural_labels(catalogue, locale),
        entry_anchor=entry_anchor,
        states=queries.EDITOR_STATES,
    )


def _submitted(catalogue: PoCatalogue) -> tuple[Entry, EntryEdit]:
    """The entry a form names (by its anchor: msgids may hold new lines, which forms would rewrite) and the
    submitted edit, with the browser's CRLF new lines turned back into LF."""
    form = request.form
    entry = next((e for e in catalogue.entries if entry_anchor(e) == form.get("entry")), None)
    if entry is None:
        abort(404)
    fuzzy = form.get("fuzzy") == "1"
    if entry.msgid_plural:
        forms = [form.get(f"msgstr_{i}", "").replace("\r\n", "\n") for i in range(catalogue.nplurals)]
        return entry, EntryEdit(entry.msgid, entry.context, None, forms, fuzzy)
    return entry, EntryEdit(entry.msgid, entry.context, form.get("msgstr", "").replace("\r\n", "\n"), None, fuzzy)


@bp.post("/<locale>/<domain>/entry")
def save(locale: str, domain: str) -> ResponseReturnValue:
    _allowed(locale, domain)
    catalogue, revision = queries.load(locale, domain)
    entry, value = _submitted(catalogue)
    back = request.form.get("back")
    if back is None or not is_safe_local_path(back):  # Never an open redirect: only a path on this site.
        back = url_for("translate.editor", locale=locale, domain=domain)
    base = bounded_int(request.form.get("base_revision"), 0, 0, MAX_INT32)
    try:
        result = services.save_edit(locale, domain, current_account(), value, base_revision=base)
    except services.StaleEdit as stale:
        return render_template(
            "translate/stale.html",
            entry_anchor=entry_anchor,
            locale=locale,
            domain=domain,
            entry=entry,
            mine=value,
            current=stale.current,
            revision=stale.revision,
            last=queries.last_change(locale, domain, entry.msgid),
            back=back,
            plural_labels=plural_labels(catalogue, locale),
        ), 409
    except services.CheckFailed as failed:
        item = queries.ListedEntry(entry, "translated", failed.errors, failed.warnings)
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
    changes = queries.history(queries.catalogue_state(locale, domain))
    return render_template("translate/history.html", locale=locale, domain=domain, changes=changes)


@bp.post("/changes/<int:change_id>/revert")
def revert(change_id: int) -> ResponseReturnValue:
    change = queries.change_of_an_entry(change_id)
    if change is None:
        abort(404)
    locale, domain = change.catalogue.locale, change.catalogue.domain
    _allowed(locale, domain)
    try:
        services.revert_change(change, current_account())
    except services.StaleEdit:
        flash(_("This entry changed again since; it was not reverted. Edit it instead."), "warning")
    except services.CheckFailed as failed:
        for problem in failed.errors:
            flash(problem.message, "warning")
    else:
        flash(_("Reverted."), "success")
    return redirect(url_for("translate.history", locale=locale, domain=domain), 303)


@bp.get("/<locale>/<domain>/download")
def download(locale: str, domain: str) -> ResponseReturnValue:
    _allowed(locale, domain)
    data, _revision = queries.download_bytes(locale, domain)
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
        result = services.upload_catalogue(locale, domain, current_account(), data)
    except PoSyntaxError as error:
        return render_template(
            "translate/upload_result.html", locale=locale, domain=domain, broken=error, filename=file.filename
        ), 422
    except services.CheckFailed as failed:
        return render_template(
            "translate/upload_result.html", locale=locale, domain=domain, failed=failed, filename=file.filename
        ), 422
    except services.StaleEdit as stale:
        return render_template(
            "translate/upload_result.html", locale=locale, domain=domain, stale=stale, filename=file.filename
        ), 409
    return render_template(
        "translate/upload_result.html", locale=locale, domain=domain, result=result, filename=file.filename
    )

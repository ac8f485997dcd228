"""Jinja2 rendering: one environment per locale, templates mirroring route names."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

from app import i18n
from app.settings import request_settings

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
# Extra context for every page, registered by domains for what base.html shows on their
# behalf (research: the one-time notice about a new consent text), so web imports none.
CONTEXT_PROVIDERS: list[Callable[[Request], dict[str, Any]]] = []


class ConstantGettext(Extension):
    """`{{ _("A sentence") }}` with nothing else in the braces: translated once, when the template compiles.

    Each environment serves one locale (see `environment`), so such a call always gives the
    same text; rendered, it costs a context lookup, two calls and a Markup format, and a
    page shell has about fifty. The folded text is exactly what the call renders (the
    translation formatted with no variables, as trusted markup); a call with variables, a
    filter or anything else in the braces is left to jinja2.ext.i18n.
    """

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        translate: Callable[[str], str] | None = getattr(self.environment, "constant_gettext", None)
        window: list[Token] = []
        for token in stream:
            if window or token.type == "variable_begin":
                window.append(token)
                if token.type != "variable_end" and len(window) < 6:
                    continue
                folded = self._fold(window, translate)
                if folded is None:
                    yield from window
                else:
                    yield Token(window[0].lineno, "data", folded)
                window = []
            else:
                yield token
        yield from window

    @staticmethod
    def _fold(window: list[Token], translate: Callable[[str], str] | None) -> str | None:
        shape = [(token.type, token.value) for token in window]
        if translate is None or len(shape) != 6 or shape[1] != ("name", "_") or shape[2][0] != "lparen" \
                or shape[3][0] != "string" or shape[4][0] != "rparen" or shape[5][0] != "variable_end":
            return None
        try:
            # What the call renders: Markup(translation) % {} (no variable to escape: the same text).
            return translate(shape[3][1]) % {}
        except (KeyError, TypeError, ValueError):  # a placeholder without its variable: fails as it would
            return None


# Whether the page being rendered has given its one `autofocus` away (None: not inside `render`).
_FOCUS_GIVEN: ContextVar[list[bool] | None] = ContextVar("tk_focus_given", default=None)


def autofocus_first() -> str:
    """` autofocus` for the first error a page renders (its summary, else its first invalid field), then nothing.

    After a form error the browser moves focus there as the page loads, with or
    without JavaScript (GOV.UK's error summary pattern), so a keyboard or screen
    reader user starts at what needs fixing instead of the top of the page. One
    per page: HTML allows a single autofocus, and the first in reading order is
    the one to land on.
    """
    given = _FOCUS_GIVEN.get()
    if given is None or given[0]:
        return ""
    given[0] = True
    return " autofocus"


def _group_counts(env: Environment) -> None:
    """`{% trans count=n %}{{ count }} …` and `_("… %(n)s …", n=…)` write whole numbers as the page's language
    groups digits ("1 234" in French), as app.i18n.gettext does for messages built in Python."""
    for name in ("gettext", "ngettext", "pgettext", "npgettext"):
        translate = env.globals.get(name)
        if translate is None:
            continue

        def grouped(__context: Any, *args: Any, __translate: Any = translate, **variables: Any) -> Any:
            return __translate(__context, *args, **i18n.local_counts(variables))
        env.globals[name] = pass_context(grouped)


@cache
def environment(locale: str) -> Environment:
    translations = i18n.translations(locale)
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n", ConstantGettext],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        # A plain dict of compiled templates (they are a fixed set): Jinja's default LRU cache
        # takes a lock and reorders a deque on every lookup, and each {% include %} of a post
        # is one. Profiled on the member thread page under wrk (32 connections, 25 posts): half
        # the workers' busy time waited on that lock.
        cache_size=-1,
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    _group_counts(env)
    env.extend(constant_gettext=translations.gettext)  # ConstantGettext, before any template compiles
    env.filters["date"] = lambda value, fmt="medium": i18n.format_date(value, locale, fmt)
    env.filters["datetime"] = lambda value, fmt="medium": i18n.format_datetime(value, locale, fmt)
    env.filters["day_and_time"] = lambda value: i18n.format_day_and_time(value, locale)
    env.filters["number"] = lambda value: i18n.format_number(value, locale)
    # Texts that do not come from the catalogs (the wording guidelines) in their own language.
    env.filters["typeset"] = lambda value, text_lang=None: i18n.typeset(value, text_lang or locale)
    env.globals["quote"] = lambda value, text_lang=None: i18n.quote(value, text_lang or locale)
    env.globals["LOCALES"] = i18n.LOCALES
    # A composer form's nonce, new at each render (forum.service: the same form sent twice posts once).
    env.globals["new_form_nonce"] = lambda: secrets.token_urlsafe(16)
    env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
    env.globals["autofocus_first"] = autofocus_first
    return env


def _path(app: Any, name: str, params: dict[str, str]) -> str:
    """url_path_for, memoised as a template per (route, parameter names).

    Starlette walks every route for each call (FastAPI's nested routers make that
    a tree walk); a 50-post page with several links per post would pay for it
    hundreds of times per request.
    """
    cache: dict[tuple[str, tuple[str, ...]], str] | None = getattr(app.state, "path_templates", None)
    if cache is None:
        cache = app.state.path_templates = {}
    keys = tuple(sorted(params))
    template = cache.get((name, keys))
    if template is None:
        template = str(app.url_path_for(name, **{k: f"__tk_{k}__" for k in keys}))
        cache[(name, keys)] = template
    for key in keys:
        template = template.replace(f"__tk_{key}__", quote(params[key], safe=""))
    return template


def _with_lang(name: str, params: dict[str, str]) -> dict[str, str]:
    if "lang" not in params and name.split(".")[0] not in ("api", "static"):
        params["lang"] = i18n.get_locale()
    return params


def _constant_paths(app: Any, locale: str) -> dict[str, str]:
    """The paths of routes without parameters in one language, by route name, as url_for found them."""
    by_locale: dict[str, dict[str, str]] | None = getattr(app.state, "constant_paths", None)
    if by_locale is None:
        by_locale = app.state.constant_paths = {}
    paths = by_locale.get(locale)
    if paths is None:
        paths = by_locale[locale] = {}
    return paths


def url_for(request: Request, name: str, /, *, _query: dict[str, Any] | None = None,
            _fragment: str | None = None, **params: Any) -> str:
    """A path (never an absolute URL) for a named route; HTML routes get the page's language."""
    if not params and not _query and not _fragment:
        # Most links of a page (the navigation, the footer): one path per route and language.
        paths = _constant_paths(request.app, i18n.get_locale())
        path = paths.get(name)
        if path is None:
            path = paths[name] = _path(request.app, name, _with_lang(name, {}))
        return path
    path = _path(request.app, name, _with_lang(name, {k: str(v) for k, v in params.items()}))
    if _query:
        query = {k: v for k, v in _query.items() if v is not None}
        if query:
            path += "?" + urlencode(query, doseq=True)
    if _fragment:
        path += "#" + _fragment
    return path


def switch_language_url(request: Request, locale: str) -> str:
    """The current page in another language (same route, same parameters)."""
    route = request.scope.get("route")
    params = dict(request.path_params)
    if route is None or "lang" not in params or request.method != "GET":
        return "/" + locale + "/"
    params["lang"] = locale
    path = _path(request.app, route.name, {k: str(v) for k, v in params.items()})
    return path + ("?" + request.url.query if request.url.query else "")


def base_context(request: Request, *, noindex: bool = False) -> dict[str, Any]:
    """What every template may use: the request, language, viewer, form token, url() and the like."""
    locale = i18n.get_locale()
    paths = _constant_paths(request.app, locale)

    def url(name: str, /, **kw: Any) -> str:
        # A page's ~25 links are mostly routes without parameters: one dictionary lookup each, once known.
        if not kw:
            path = paths.get(name)
            if path is not None:
                return path
        return url_for(request, name, **kw)

    ctx: dict[str, Any] = {
        "request": request,
        "lang": locale,
        "viewer": getattr(request.state, "viewer", None),
        "csrf_token": request.state.csrf_token if hasattr(request.state, "csrf_token") else "",
        "url": url,
        "static": lambda path: f"/static/{path}",
        "switch_language_url": lambda loc: switch_language_url(request, loc),
        "noindex": noindex,
        "site_name": request_settings(request).site_name,
    }
    for provider in CONTEXT_PROVIDERS:
        ctx.update(provider(request))
    return ctx


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200, noindex: bool = False) -> HTMLResponse:
    ctx = base_context(request, noindex=noindex)
    ctx.update(context or {})
    given = _FOCUS_GIVEN.set([False])
    try:
        html = environment(i18n.get_locale()).get_template(template).render(ctx)
    finally:
        _FOCUS_GIVEN.reset(given)
    response = HTMLResponse(html, status_code=status_code)
    if noindex:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def redirect(request: Request, name: str, /, *, _query: dict[str, Any] | None = None,
             _fragment: str | None = None, **params: Any) -> RedirectResponse:
    """Post/redirect/get: 303 so the browser follows with a GET."""
    return RedirectResponse(url_for(request, name, _query=_query, _fragment=_fragment, **params),
                            status_code=303)

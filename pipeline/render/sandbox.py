"""The renderer's sandbox: WeasyPrint may fetch only files under the project's
sheets/ and styles/ folders (symlinks resolved); anything else, network
included, is refused and remembered so the error can name it."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass
class SandboxFetcher:
    """A WeasyPrint URL fetcher that only serves files under the allowed folders."""

    allowed: tuple[Path, ...]
    refused: list[str] = field(default_factory=list)

    def make(self):
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        sandbox = self

        class _Fetcher(URLFetcher):
            def fetch(self, url, headers=None):
                path = sandbox.resolve(url)
                if path is None:
                    sandbox.refused.append(url)
                    raise ValueError(f"refused by the sandbox: {url}")
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": mime}, 200
                )

        return _Fetcher(fail_on_errors=True)

    def resolve(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            return None
        return path if path.is_file() else None

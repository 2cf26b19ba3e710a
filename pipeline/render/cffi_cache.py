"""WeasyPrint's C declarations, parsed once and kept between runs.

Importing WeasyPrint parses about 450 lines of Pango, HarfBuzz, fontconfig and
GObject declarations with cffi's C parser (``ffi.cdef`` in
``weasyprint/text/ffi.py``): about a quarter of a second, in every new render
process, on the critical path of a one-sheet rebuild. cffi's documented answer
is its out-of-line ABI mode: the declarations are parsed once and written as
a small Python module holding cffi's own compact tables, which loads in a
millisecond and gives the same ``ffi`` object type (cffi docs, "Out-of-line,
ABI level"; cairocffi ships its declarations this way).

``install()`` adds an import hook for ``weasyprint.text.ffi`` only: it runs
that module's own source with the two statements that build and parse the
``FFI`` replaced by the prepared one; every other line (the ``dlopen`` of each
library, the helpers) runs unchanged. The prepared module lives in the user's
cache folder beside the parsed sheets, named by a SHA-256 of the declarations,
cffi's version and Python's, written atomically. Whenever anything does not
match (the source does not have the expected two statements, the cache folder
is off or not ours, a file cannot be written or loaded), WeasyPrint is
imported the ordinary way: this only ever saves time.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib.abc
import importlib.util
import io
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

MODULE = "weasyprint.text.ffi"


def _declarations(source: str) -> tuple[ast.Module, str] | None:
    """WeasyPrint's module without ``ffi = cffi.FFI()`` and ``ffi.cdef('''...''')``,
    and the declarations; None if the source is not laid out that way."""
    tree = ast.parse(source)
    for index, node in enumerate(tree.body[:-1]):
        if not (isinstance(node, ast.Assign) and ast.unparse(node) == "ffi = cffi.FFI()"):
            continue
        call = tree.body[index + 1]
        if not (
            isinstance(call, ast.Expr)
            and isinstance(call.value, ast.Call)
            and ast.unparse(call.value.func) == "ffi.cdef"
            and len(call.value.args) == 1
            and not call.value.keywords
            and isinstance(call.value.args[0], ast.Constant)
            and isinstance(call.value.args[0].value, str)
        ):
            return None
        del tree.body[index : index + 2]
        return tree, call.value.args[0].value
    return None


def _prepared(folder: Path, declarations: str):
    """The prepared ``FFI`` for these declarations, written to ``folder`` if new."""
    import cffi

    key = f"{declarations}\0{cffi.__version__}\0{sys.version}".encode()
    name = f"weasyprint_ffi_{hashlib.sha256(key).hexdigest()[:24]}"
    path = folder / f"{name}.py"
    if not path.is_file():
        builder = cffi.FFI()
        builder.cdef(declarations)
        builder.set_source(name, None)  # None: ABI mode, nothing to compile
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        os.close(handle)
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # cffi says "generating ..."
                builder.emit_python_code(temporary)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ffi


class _Loader(importlib.abc.Loader):
    def __init__(self, code, ffi) -> None:
        self.code, self.ffi = code, ffi

    def create_module(self, spec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.ffi = self.ffi
        exec(self.code, module.__dict__)  # noqa: S102 - WeasyPrint's own module source


class _Finder(importlib.abc.MetaPathFinder):
    """Answers for weasyprint.text.ffi once, then steps aside."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find_spec(self, fullname, path, target=None):
        if fullname != MODULE:
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        try:
            return self._spec(path)
        except Exception:  # noqa: BLE001 - any surprise: the ordinary import
            return None

    def _spec(self, path):
        origin = next(Path(p) / "ffi.py" for p in path or () if (Path(p) / "ffi.py").is_file())
        found = _declarations(origin.read_text(encoding="utf-8"))
        if found is None:
            return None
        tree, declarations = found
        ffi = _prepared(self.folder, declarations)
        code = compile(tree, str(origin), "exec")
        return importlib.util.spec_from_loader(MODULE, _Loader(code, ffi), origin=str(origin))


def install() -> bool:
    """Let the next import of WeasyPrint use prepared declarations. False (and nothing
    installed) if WeasyPrint is imported already or there is no usable cache folder."""
    if MODULE in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return False
    from ..source.parsecache import default_folder, usable_folder

    parsed = default_folder()
    if parsed is None or not usable_folder(folder := parsed / "cffi"):
        return False
    sys.meta_path.insert(0, _Finder(folder))
    return True

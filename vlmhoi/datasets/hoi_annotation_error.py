"""The one error type for bad HOI annotation input."""
from __future__ import annotations


class HOIAnnotationError(ValueError):
    """An annotation file (or an entry of it) is unusable.

    The message always names the file, the entry index (``None`` for file-level
    problems such as empty or truncated JSON) and what is wrong.
    """

    def __init__(self, file: str, index: int | None, problem: str,
                 file_name: str | None = None) -> None:
        self.file = str(file)
        self.index = index
        self.problem = problem
        self.file_name = file_name
        where = 'file' if index is None else f'entry {index}'
        if file_name:
            where += f' ({file_name})'
        super().__init__(f'{self.file}: {where}: {problem}')

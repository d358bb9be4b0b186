"""`amount__positive=True`: `amount > 0` with the zero written in the SQL, not bound.

SQLite uses a partial index (`... WHERE open_amount > 0`) only when the query repeats its
condition word for word; a bound parameter (`open_amount > ?`, what `__gt=0` produces) does
not match, and counting the open items of a million-invoice ledger then scans them all.
"""

from django.db.models import DecimalField, Lookup


@DecimalField.register_lookup
class Positive(Lookup):
    lookup_name = "positive"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if self.rhs is not True:
            raise ValueError("use amount__positive=True")
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} > 0", params

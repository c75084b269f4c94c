"""The MetaData every service's tables.py registers its tables on."""

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    }
)


def supplied_columns(table: sa.Table) -> list[sa.Column]:
    """The columns a writer supplies: all but those the database fills in itself (a FetchedValue)."""
    return [column for column in table.c if column.server_default is None]

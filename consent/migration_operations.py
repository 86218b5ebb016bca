"""A migration operation for changes that reach no database: names, help texts, choices, model options.

Django applies each ``AlterField`` by re-rendering the model and its relations; a migration of a few hundred
such changes took 15 seconds, on every fresh database (each test session, each test that migrates one in a
subprocess). ``ReadersOnly`` applies the same operations to the state with rendering held back, then
re-renders each model it touched once. It runs no SQL: use it only for operations ``sqlmigrate`` shows none
for.
"""

from django.db.migrations.operations.base import Operation


class ReadersOnly(Operation):
    reduces_to_sql = False
    reversible = True

    def __init__(self, operations: list[Operation]) -> None:
        self.operations = operations

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {"operations": self.operations})

    def state_forwards(self, app_label, state):
        rendered = state.__dict__.pop("apps", None)  # reload_model renders nothing while it is away
        try:
            for operation in self.operations:
                operation.state_forwards(app_label, state)
        finally:
            if rendered is not None:
                state.__dict__["apps"] = rendered
        touched = {(app_label, getattr(op, "model_name_lower", None) or op.name_lower) for op in self.operations}
        state.reload_models(touched, delay=False)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        pass  # nothing of it is in the database

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return f"Names, help texts and choices ({len(self.operations)} changes, no SQL)"

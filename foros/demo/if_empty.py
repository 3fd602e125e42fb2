"""`python -m foros.demo.if_empty`: load the demo only into a database with no events (used by `make run`)."""

from sqlalchemy import func, select

from foros import create_app
from foros.demo.data import load_demo_data
from foros.events.models import Event
from foros.extensions import db


def main() -> None:
    """Load the demo programme when the database has no events yet."""
    app = create_app()
    with app.app_context():
        if db.session.scalar(select(func.count()).select_from(Event)):
            print("La base de datos ya tiene eventos: no se cargan datos de demostración.")
            return
        print(load_demo_data())
        db.session.commit()


if __name__ == "__main__":
    main()

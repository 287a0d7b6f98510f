from circles.services import people


def test_store_fixture_runs_on_each_backend(store):
    with store.write() as db:
        people.add_person(db, name="Ana", email="ana@example.org")
    with store.read() as db:
        assert [p.email for p in people.list_people(db)] == ["ana@example.org"]

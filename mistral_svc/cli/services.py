"""service-list: the Mistral processes (api, engine, executor...) that are alive."""


from mistral_svc.cli import common

COLUMNS = [("name", "Name"), ("type", "Type")]


def row(service, lister=False):
    return (service.get("name"), service.get("type"))


class List(common.Lister):
    """List all services."""

    def take_action(self, parsed_args):
        items = self.app.client.get("/services")["services"]
        return common.table(COLUMNS, items, row)


COMMANDS = {"service-list": List}

"""service-list: the Mistral processes (api, engine, executor...) that are alive."""


from mistral_svc.cli import common

COLUMNS = [("name", "Name"), ("type", "Type")]


def row(service, lister=False):
    return (service.get("name"), service.get("type"))


class List(common.Lister):
    """List all services."""

    def take_action(self, parsed_args):
        items = self.app.client.get("/services")["services"]
        # service-list is not one of mistral's padded lists: empty means no rows.
        return common.table(COLUMNS, items, row, pad_empty=False)


COMMANDS = {"service-list": List}

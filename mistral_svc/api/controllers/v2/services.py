"""/v2/services: the members of the service groups (tooz)."""

from pecan import rest

from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import resources
from mistral_svc.coordination import membership


class ServicesController(rest.RestController):
    """Running services, as their heartbeats show them."""

    @rest_utils.wsexpose(resources.Services)
    def get_all(self):
        access.enforce("services:list")
        return resources.Services(services=[
            resources.Service(name=name, type=group)
            for name, group in membership.get().members()
        ])

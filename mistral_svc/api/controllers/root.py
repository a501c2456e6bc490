"""/: the list of API versions."""

import pecan

from mistral_svc.api import rest_utils
from mistral_svc.api.controllers.v2 import resources, root as v2_root


class RootController:
    v2 = v2_root.Controller()

    @rest_utils.wsexpose(resources.Versions)
    def index(self):
        host = pecan.request.application_url
        link = resources.Link(href="%s/v2" % host, target="v2", rel="self")
        return resources.Versions(
            versions=[resources.Version(id="v2.0", status="CURRENT", links=[link])]
        )

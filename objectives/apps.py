from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    name = "objectives"

    def ready(self):
        from organizations.onboarding import StepSpec, register_step

        register_step(
            StepSpec(
                key="company_objective",
                order=50,
                title="Write the first company objective",
                hint="One to three per quarter; teams and people align theirs to it.",
                url_name="objectives:objective-new",
                query="?level=company",
                done=_has_company_objective,
            )
        )


def _has_company_objective(org, membership):
    from django.db.models import Exists, OuterRef

    from .models import Objective

    return Exists(Objective.objects.filter(org=OuterRef("pk"), level=Objective.Level.COMPANY))

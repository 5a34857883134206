from django.apps import AppConfig


class StratificationConfig(AppConfig):
    name = "stratification"

    def ready(self) -> None:
        from caremodel import rules
        from caremodel.registry import NavItem, RecordPanel, registry

        registry.register_nav_item(
            NavItem("risk_list", "Risk list", "stratification:list", order=30, audience=rules.is_clinical)
        )
        registry.register_nav_item(
            NavItem("risk_runs", "Risk runs", "stratification:runs", order=20, audience=rules.is_administrator)
        )
        registry.register_record_panel(RecordPanel("risk", "Risk", "stratification:patient_panel", order=10))

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients"

    def ready(self) -> None:
        from caremodel import rules
        from caremodel.registry import HomeCard, NavItem, registry
        from patients import relationships

        relationships.register()
        registry.register_nav_item(
            NavItem("patients", "Patients", "patients:list", order=10, audience=rules.is_clinical)
        )
        registry.register_nav_item(
            NavItem("find_patient", "Find a patient", "patients:lookup", order=20, audience=rules.is_clinical)
        )
        registry.register_nav_item(
            NavItem("imports", "Imports", "patients:import_upload", order=30, audience=rules.is_administrator)
        )
        registry.register_nav_item(
            NavItem("matches", "Rows to match", "patients:pending_matches", order=40, audience=rules.is_administrator)
        )
        registry.register_nav_item(
            NavItem("duplicates", "Duplicate records", "patients:duplicates", order=50, audience=rules.is_administrator)
        )
        registry.register_home_card(
            HomeCard(
                "your_patients",
                "Your patients",
                "patients:home_panel",
                order=10,
                audience=rules.is_clinical,
                fallback_url_name="patients:lookup",
            )
        )
        registry.register_home_card(
            HomeCard(
                "population",
                "Registered population",
                "patients:population_panel",
                order=20,
                audience=rules.sees_population_figures,
            )
        )

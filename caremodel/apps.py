from django.apps import AppConfig


class CareModelConfig(AppConfig):
    name = "caremodel"
    verbose_name = "Care model"

    def ready(self) -> None:
        from caremodel import navigation
        from caremodel.logging import install_redacting_record_factory

        install_redacting_record_factory()
        navigation.register()

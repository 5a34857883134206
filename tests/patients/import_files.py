"""CSV builders shared by the import tests."""

GP_HEADER = "nhs_number,given_name,family_name,date_of_birth,sex,postcode,practice_ods_code,conditions\n"
ACTIVITY_HEADER = "nhs_number,event_type,event_date,provider_code,source_id,length_of_stay,discharge_destination\n"


def gp_file(*rows: str) -> bytes:
    return (GP_HEADER + "".join(f"{row}\n" for row in rows)).encode()


def activity_file(*rows: str) -> bytes:
    return (ACTIVITY_HEADER + "".join(f"{row}\n" for row in rows)).encode()

"""What ready means: catalogue, manifest schema, verdict, waivers, errors, masking."""

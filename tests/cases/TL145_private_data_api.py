from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        from torch.utils.data import DataLoader
        from torch.utils.data._utils.collate import default_collate

        loader = DataLoader(dataset, batch_size=32, collate_fn=default_collate)
        """,
        at=[(2, 45)],
        message="Use torch.utils.data.default_collate",
        fixed="""
        from torch.utils.data import DataLoader
        from torch.utils.data import default_collate

        loader = DataLoader(dataset, batch_size=32, collate_fn=default_collate)
        """,
    ),
    Invalid(
        """
        import torch


        def collate(batch):
            images = torch.utils.data._utils.collate.default_collate([b["image"] for b in batch])
            return images, [b["boxes"] for b in batch]
        """,
        at=[(5, 14)],
        fixed="""
        import torch


        def collate(batch):
            images = torch.utils.data.default_collate([b["image"] for b in batch])
            return images, [b["boxes"] for b in batch]
        """,
    ),
    Invalid(
        """
        from torch.utils.data._utils.collate import default_collate, default_convert as convert
        """,
        at=[(1, 45), (1, 62)],
        message="the public name of the same function",
        fixed="""
        from torch.utils.data import default_collate, default_convert as convert
        """,
    ),
    Invalid(
        """
        import torch.utils.data._utils.collate as torch_collate

        batch = torch_collate.default_convert(samples)
        """,
        at=[(3, 9)],
        fixed="""
        import torch

        batch = torch.utils.data.default_convert(samples)
        """,
    ),
    Invalid(
        """
        from torch.utils.data._utils import collate
        import torch as th

        def collate_fn(batch):
            return collate.default_collate(batch)
        """,
        at=[(5, 12)],
        fixed="""
        import torch as th

        def collate_fn(batch):
            return th.utils.data.default_collate(batch)
        """,
    ),
    Invalid(
        """
        try:
            from torch.utils.data._utils.collate import default_collate, np_str_obj_array_pattern
        except ImportError:
            default_collate = None
        """,
        at=[(2, 49)],
        fixed="""
        try:
            from torch.utils.data._utils.collate import np_str_obj_array_pattern
            from torch.utils.data import default_collate
        except ImportError:
            default_collate = None
        """,
    ),
    Valid(
        """
        from torch.utils.data import default_collate, default_convert

        batch = default_collate(samples)
        """,
    ),
    Valid(
        """
        import torch

        batch = torch.utils.data.default_collate(samples)
        legacy = torch.utils.data.dataloader.default_collate(samples)
        """,
    ),
    Valid(
        """
        from torch.utils.data._utils.collate import np_str_obj_array_pattern
        """,
        why="other private names are not reported",
    ),
    Valid(
        """
        from mmcv.parallel import collate
        from detectron2.data import default_collate
        """,
    ),
    Valid(
        """
        from torch.utils.data._utils.collate import default_collate
        """,
        why="the public name appeared in torch 1.11, after the project's minimum",
        target_torch="1.10",
    ),
]

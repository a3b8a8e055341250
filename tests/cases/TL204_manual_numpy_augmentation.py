from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import random

        import numpy as np
        import torch
        from torch.utils.data import Dataset


        class CifarDataset(Dataset):
            def __init__(self, images, labels, train=True):
                self.images = images
                self.labels = labels
                self.train = train

            def __len__(self):
                return len(self.images)

            def __getitem__(self, idx):
                img = self.images[idx]
                if self.train and random.random() < 0.5:
                    img = np.fliplr(img)
                img = torch.from_numpy(img.copy()).permute(2, 0, 1).float() / 255
                return img, self.labels[idx]
        """,
        at=[(20, 19)],
        message="v2.RandomHorizontalFlip",
        action="""
        import random

        import numpy as np
        import torch
        from torch.utils.data import Dataset
        from torchvision.transforms import v2


        # torchvision.transforms.v2 version of the random np.fliplr in CifarDataset.__getitem__.
        # v2 transforms act on CHW tensors and PIL images (numpy arrays pass through unchanged):
        # call train_augment(image) where the image is a tensor, then delete the manual flip.
        train_augment = v2.Compose([v2.RandomHorizontalFlip(p=0.5)])


        class CifarDataset(Dataset):
            def __init__(self, images, labels, train=True):
                self.images = images
                self.labels = labels
                self.train = train

            def __len__(self):
                return len(self.images)

            def __getitem__(self, idx):
                img = self.images[idx]
                if self.train and random.random() < 0.5:
                    img = np.fliplr(img)
                img = torch.from_numpy(img.copy()).permute(2, 0, 1).float() / 255
                return img, self.labels[idx]
        """,
    ),
    Invalid(
        """
        import numpy as np
        import torch
        from PIL import Image


        class SegmentationData(torch.utils.data.Dataset):
            def __init__(self, files, augment=False):
                self.files = files
                self.augment = augment

            def __getitem__(self, i):
                image = np.asarray(Image.open(self.files[i][0]).convert("RGB"))
                mask = np.asarray(Image.open(self.files[i][1]))
                if self.augment:
                    if np.random.rand() > 0.5:
                        image = image[:, ::-1]
                        mask = mask[:, ::-1]
                    if np.random.rand() < 0.3:
                        image, mask = np.flipud(image), np.flipud(mask)
                image = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)
                return image, torch.from_numpy(np.ascontiguousarray(mask)).long()
        """,
        at=[(16, 25), (17, 24), (19, 31), (19, 49)],
        action="""
        import numpy as np
        import torch
        from PIL import Image
        from torchvision.transforms import v2


        # torchvision.transforms.v2 version of the random [:, ::-1] slice / np.flipud in SegmentationData.__getitem__.
        # v2 transforms act on CHW tensors and PIL images (numpy arrays pass through unchanged):
        # call train_augment(image) where the image is a tensor, then delete the manual flip.
        # Pass the image and its mask in one call (the mask as tv_tensors.Mask) to flip both alike.
        train_augment = v2.Compose([
            v2.RandomHorizontalFlip(p=0.5),
            v2.RandomVerticalFlip(p=0.3),
        ])


        class SegmentationData(torch.utils.data.Dataset):
            def __init__(self, files, augment=False):
                self.files = files
                self.augment = augment

            def __getitem__(self, i):
                image = np.asarray(Image.open(self.files[i][0]).convert("RGB"))
                mask = np.asarray(Image.open(self.files[i][1]))
                if self.augment:
                    if np.random.rand() > 0.5:
                        image = image[:, ::-1]
                        mask = mask[:, ::-1]
                    if np.random.rand() < 0.3:
                        image, mask = np.flipud(image), np.flipud(mask)
                image = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)
                return image, torch.from_numpy(np.ascontiguousarray(mask)).long()
        """,
    ),
    Invalid(
        """
        import numpy as np


        def augment_tile(tile, rng):
            \"\"\"Satellite tiles have no canonical orientation.\"\"\"
            k = rng.integers(4)
            tile = np.rot90(tile, k)
            if rng.random() < 0.25:
                tile = np.flip(tile)
            return tile
        """,
        at=[(7, 12), (9, 16)],
        message="v2.RandomRotation",
        action="""
        import numpy as np
        from torchvision.transforms import v2


        # torchvision.transforms.v2 version of the random np.rot90 / np.flip in augment_tile.
        # v2 transforms act on CHW tensors and PIL images (numpy arrays pass through unchanged):
        # call train_augment(image) where the image is a tensor, then delete the manual flip.
        train_augment = v2.Compose([
            v2.RandomChoice([v2.RandomRotation(degrees=(a, a), expand=True) for a in (0, 90, 180, 270)]),
            v2.RandomApply([v2.RandomRotation(degrees=(180, 180))], p=0.25),
        ])


        def augment_tile(tile, rng):
            \"\"\"Satellite tiles have no canonical orientation.\"\"\"
            k = rng.integers(4)
            tile = np.rot90(tile, k)
            if rng.random() < 0.25:
                tile = np.flip(tile)
            return tile
        """,
    ),
    Invalid(
        """
        import random

        import numpy as np

        # Albumentations-style transforms working on sample dicts.


        class RandomFlip:
            def __init__(self, p=0.5):
                self.p = p

            def __call__(self, sample):
                if random.random() < self.p:
                    sample["image"] = np.flip(sample["image"], axis=1)
                return sample


        class RandomRotate90:
            def __call__(self, sample):
                if random.random() >= 0.75:
                    sample["image"] = np.rot90(sample["image"])
                return sample
        """,
        at=[(14, 31), (21, 31)],
        action="""
        import random

        import numpy as np
        from torchvision.transforms import v2

        # Albumentations-style transforms working on sample dicts.


        # torchvision.transforms.v2 version of the random np.flip in RandomFlip.__call__.
        # v2 transforms act on CHW tensors and PIL images (numpy arrays pass through unchanged):
        # call train_augment(image) where the image is a tensor, then delete the manual flip.
        # Set p to the probability used there: self.p.
        train_augment = v2.Compose([v2.RandomHorizontalFlip(p=0.5)])


        class RandomFlip:
            def __init__(self, p=0.5):
                self.p = p

            def __call__(self, sample):
                if random.random() < self.p:
                    sample["image"] = np.flip(sample["image"], axis=1)
                return sample


        class RandomRotate90:
            def __call__(self, sample):
                if random.random() >= 0.75:
                    sample["image"] = np.rot90(sample["image"])
                return sample
        """,
    ),
    Invalid(
        """
        import random

        import numpy as np
        import torch


        def random_flip(img):
            return np.fliplr(img) if random.random() < 0.5 else img


        def load_batch(paths):
            frames = [random_flip(np.load(p)) for p in paths]
            return torch.stack([torch.from_numpy(f.copy()) for f in frames])
        """,
        at=[(8, 12)],
    ),
    Valid(
        """
        import random

        import numpy as np
        from torch.utils.data import Dataset


        class TrajectoryDataset(Dataset):
            def __init__(self, episodes, gamma=0.99):
                self.episodes = episodes
                self.gamma = gamma

            def __getitem__(self, i):
                obs, rewards = self.episodes[i]
                returns, running = [], 0.0
                for r in rewards[::-1]:
                    running = r + self.gamma * running
                    returns.append(running)
                returns = np.array(returns[::-1])
                if random.random() < 0.5:
                    start = random.randint(0, len(rewards) - 1)
                    rewards, returns = rewards[start:], returns[start:]
                    shape = obs.shape[::-1]
                return obs, rewards, returns
        """,
        why="reversing rewards, returns or shapes",
    ),
    Valid(
        """
        import cv2
        import numpy as np
        from torch.utils.data import Dataset


        class BmpDataset(Dataset):
            def __init__(self, paths):
                self.paths = paths

            def __getitem__(self, idx):
                img = cv2.imread(self.paths[idx])
                img = img[:, :, ::-1]  # BGR -> RGB
                img = np.flipud(img)  # stored bottom-up
                return np.ascontiguousarray(img)
        """,
        why="deterministic preprocessing",
    ),
    Valid(
        """
        import random

        import numpy as np


        class ChannelShuffle:
            def __call__(self, image):
                if random.random() < 0.5:
                    image = image[..., ::-1]
                if random.random() < 0.5:
                    image = image[:, :, ::-1]
                return image
        """,
        why="reversing the channel axis is a colour change, not a flip",
    ),
    Valid(
        """
        import random

        import numpy as np
        import torch


        class SpeechCommands(torch.utils.data.Dataset):
            def __init__(self, clips):
                self.clips = clips

            def __getitem__(self, i):
                waveform, label = self.clips[i]
                if random.random() < 0.5:
                    waveform = np.flip(waveform)
                series = np.cumsum(waveform)
                if random.random() < 0.1:
                    series = series[::-1]
                return torch.from_numpy(waveform.copy()), label
        """,
        why="non-image arrays (audio, time series)",
    ),
    Valid(
        """
        import random

        import numpy as np
        from torch.utils.data import Dataset


        class ClipDataset(Dataset):
            def __init__(self, videos):
                self.videos = videos

            def __getitem__(self, i):
                frames, images = self.videos[i], list(self.videos[i])
                if random.random() < 0.5:
                    frames = frames[::-1]  # play the clip backwards
                    images = images[::-1]
                return np.stack(frames), images
        """,
        why="reversing the order of a clip's frames or of a list of images is not an image flip",
    ),
    Valid(
        """
        import numpy as np
        import torch


        @torch.no_grad()
        def predict_tta(model, image):
            views = [image, np.fliplr(image), np.flipud(image), np.rot90(image)]
            batch = torch.stack([torch.from_numpy(v.copy()).permute(2, 0, 1) for v in views])
            return model(batch).softmax(-1).mean(0)


        def visualize(images):
            for img in images:
                if np.random.rand() < 0.5:
                    img = np.fliplr(img)
        """,
        why="deterministic test-time augmentation, and flips outside dataset or transform code",
    ),
    # A parameter already named train_augment: the pipeline takes another name, or it would be shadowed.
    Invalid(
        """
        import random

        import numpy as np


        def random_flip(img, train_augment=None):
            \"\"\"`train_augment` is accepted for compatibility with the old API, and ignored.\"\"\"
            if random.random() < 0.5:
                img = np.fliplr(img)
            return img
        """,
        at=[(9, 15)],
        message="v2.RandomHorizontalFlip",
        action="""
        import random

        import numpy as np
        from torchvision.transforms import v2


        # torchvision.transforms.v2 version of the random np.fliplr in random_flip.
        # v2 transforms act on CHW tensors and PIL images (numpy arrays pass through unchanged):
        # call train_augment_2(image) where the image is a tensor, then delete the manual flip.
        train_augment_2 = v2.Compose([v2.RandomHorizontalFlip(p=0.5)])


        def random_flip(img, train_augment=None):
            \"\"\"`train_augment` is accepted for compatibility with the old API, and ignored.\"\"\"
            if random.random() < 0.5:
                img = np.fliplr(img)
            return img
        """,
    ),
    # BasicSR / EDSR: the decisions are drawn in `augment`, the flips made in its inner `_augment`.
    Invalid(
        """
        import random

        import numpy as np


        def augment(imgs, hflip=True, rotation=True):
            \"\"\"Flip and rotate a list of HWC images alike (BasicSR / EDSR style).\"\"\"
            hflip = hflip and random.random() < 0.5
            vflip = rotation and random.random() < 0.5
            rot90 = rotation and random.random() < 0.5

            def _augment(img):
                if hflip:
                    img = img[:, ::-1, :]
                if vflip:
                    img = img[::-1, :, :]
                if rot90:
                    img = img.transpose(1, 0, 2)
                return np.ascontiguousarray(img)

            return [_augment(img) for img in imgs]
        """,
        at=[(14, 19), (16, 19)],
        action="""
        import random

        import numpy as np
        from torchvision.transforms import v2


        # torchvision.transforms.v2 version of the random [:, ::-1] slice / [::-1] slice in _augment.
        # v2 transforms act on CHW tensors and PIL images (numpy arrays pass through unchanged):
        # call train_augment(image) where the image is a tensor, then delete the manual flip.
        train_augment = v2.Compose([
            v2.RandomHorizontalFlip(p=0.5),
            v2.RandomVerticalFlip(p=0.5),
        ])


        def augment(imgs, hflip=True, rotation=True):
            \"\"\"Flip and rotate a list of HWC images alike (BasicSR / EDSR style).\"\"\"
            hflip = hflip and random.random() < 0.5
            vflip = rotation and random.random() < 0.5
            rot90 = rotation and random.random() < 0.5

            def _augment(img):
                if hflip:
                    img = img[:, ::-1, :]
                if vflip:
                    img = img[::-1, :, :]
                if rot90:
                    img = img.transpose(1, 0, 2)
                return np.ascontiguousarray(img)

            return [_augment(img) for img in imgs]
        """,
    ),
    # Helpers of dataset code, named like nothing in particular: a loader the dataset calls (its
    # array named like an image), a conversion the dataset calls with a random axis, and a method.
    Invalid(
        """
        import random

        import cv2
        import numpy as np
        import torch
        from torch.utils.data import Dataset


        def read_image(path, train=True):
            img = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)
            if train and np.random.rand() > 0.5:
                img = np.flip(img, 1)
            return img


        def to_tensor(pic):
            if random.random() < 0.5:
                pic = np.flip(pic, axis=random.randint(0, 1))
            return torch.from_numpy(pic.transpose(2, 0, 1).copy()).float() / 255


        class LeafFolder(Dataset):
            def __init__(self, paths, labels, train):
                self.paths, self.labels, self.train = paths, labels, train

            def __len__(self):
                return len(self.paths)

            def __getitem__(self, i):
                x = self._load(i)
                return to_tensor(x), self.labels[i]

            def _load(self, i):
                x = read_image(self.paths[i], self.train)
                if self.train and random.random() < 0.5:
                    x = x[:, ::-1]
                return x
        """,
        at=[(12, 15), (18, 15), (36, 17)],
        message="v2.RandomHorizontalFlip",
    ),
    Valid(
        """
        import random

        import cv2
        import numpy as np


        def load_batch(paths, flip):
            images = [cv2.imread(p) for p in paths]
            if flip:
                images = [np.fliplr(img) for img in images]
            return np.stack(images)


        class ReplayBuffer:
            def __init__(self, capacity, obs_shape):
                self.obs = np.zeros((capacity, *obs_shape), np.float32)

            def sample(self, batch_size):
                idx = np.random.randint(0, len(self.obs), batch_size)
                obs = self.obs[idx]
                if random.random() < 0.5:
                    obs = obs[:, ::-1]
                return obs


        def read_sequence(tokens):
            if random.random() < 0.5:
                tokens = tokens[::-1]
            return tokens


        def show_predictions(model, image):
            if random.random() < 0.5:
                image = np.fliplr(image)
            cv2.imshow("prediction", model(image))
        """,
        why="a flip the caller decides, observations of a replay buffer, token order, and a random flip for display",
    ),
    # DnCNN: the flips are chosen by a mode that the caller draws at random. `np.flipud(out)` is a
    # vertical flip: `out` is made from the image and turned by np.rot90 in the same function.
    Invalid(
        """
        import glob

        import cv2
        import numpy as np
        import torch
        import torch.utils.data as udata


        def data_augmentation(image, mode):
            out = np.transpose(image, (1, 2, 0))
            if mode == 0:
                out = out
            elif mode == 1:
                out = np.flipud(out)
            elif mode == 2:
                out = np.rot90(out)
            elif mode == 3:
                out = np.rot90(out, k=2)
            return np.transpose(out, (2, 0, 1))


        def prepare_data(data_path, patch_size, aug_times=1):
            patches = []
            for path in sorted(glob.glob(data_path + "/*.png")):
                img = np.expand_dims(cv2.imread(path)[:, :, 0], 0) / 255.0
                patches.append(img[:, :patch_size, :patch_size])
                for _ in range(aug_times - 1):
                    patches.append(data_augmentation(img[:, :patch_size, :patch_size], np.random.randint(1, 4)))
            return np.stack(patches)


        def self_ensemble(model, image):
            outs = [model(torch.from_numpy(data_augmentation(image, m).copy())) for m in range(4)]
            return torch.stack(outs).mean(0)
        """,
        at=[(14, 15), (16, 15), (18, 15)],
        message=" instead of a random np.",
    ),
    Valid(
        """
        import numpy as np
        import torch


        def augment_img(img, mode=0):
            \"\"\"The eight dihedral transforms (KAIR), used here for x8 self-ensembling at test time.\"\"\"
            if mode == 1:
                return np.flipud(np.rot90(img))
            if mode == 2:
                return np.flipud(img)
            if mode == 3:
                return np.rot90(img, k=3)
            return img


        @torch.no_grad()
        def test_x8(model, img):
            outs = [model(torch.from_numpy(augment_img(img, mode=m).copy())) for m in range(4)]
            return torch.stack(outs).mean(0)
        """,
        why="the same dihedral transforms chosen by a mode its only caller enumerates (test-time self-ensembling)",
    ),
    Invalid(
        """
        import random

        import cv2
        import numpy as np
        import torch
        from torch.utils.data import Dataset


        def random_flip(lr, hr):
            if random.random() < 0.5:
                lr, hr = np.fliplr(lr), np.fliplr(hr)
            if random.random() < 0.5:
                lr, hr = np.flipud(lr), np.flipud(hr)
            return lr.copy(), hr.copy()


        class PairedSRDataset(Dataset):
            def __init__(self, pairs):
                self.pairs = pairs

            def __len__(self):
                return len(self.pairs)

            def __getitem__(self, idx):
                lr = cv2.imread(self.pairs[idx][0])
                hr = cv2.imread(self.pairs[idx][1])
                lr, hr = random_flip(lr, hr)
                return torch.from_numpy(lr).permute(2, 0, 1), torch.from_numpy(hr).permute(2, 0, 1)
        """,
        at=[(11, 18), (11, 33), (13, 18), (13, 33)],
        message="instead of a random np.fl",
        action="""
        import random

        import cv2
        import numpy as np
        import torch
        from torch.utils.data import Dataset
        from torchvision.transforms import v2


        # torchvision.transforms.v2 version of the random np.fliplr / np.flipud in random_flip.
        # v2 transforms act on CHW tensors and PIL images (numpy arrays pass through unchanged):
        # call train_augment(image) where the image is a tensor, then delete the manual flip.
        # Pass the image and its mask in one call (the mask as tv_tensors.Mask) to flip both alike.
        train_augment = v2.Compose([
            v2.RandomHorizontalFlip(p=0.5),
            v2.RandomVerticalFlip(p=0.5),
        ])


        def random_flip(lr, hr):
            if random.random() < 0.5:
                lr, hr = np.fliplr(lr), np.fliplr(hr)
            if random.random() < 0.5:
                lr, hr = np.flipud(lr), np.flipud(hr)
            return lr.copy(), hr.copy()


        class PairedSRDataset(Dataset):
            def __init__(self, pairs):
                self.pairs = pairs

            def __len__(self):
                return len(self.pairs)

            def __getitem__(self, idx):
                lr = cv2.imread(self.pairs[idx][0])
                hr = cv2.imread(self.pairs[idx][1])
                lr, hr = random_flip(lr, hr)
                return torch.from_numpy(lr).permute(2, 0, 1), torch.from_numpy(hr).permute(2, 0, 1)
        """,
    ),  # a super-resolution pair flipped in a helper of __getitem__: lr/hr are images, flipped left-right too
    Invalid(
        """
        import random

        import cv2
        import numpy as np
        from torch.utils.data import Dataset


        class LaneDataset(Dataset):
            def __init__(self, samples, train=True):
                self.samples = samples
                self.train = train

            def __len__(self):
                return len(self.samples)

            def _augment(self, img, mask):
                if random.random() > 0.5:
                    img = cv2.flip(img, 1)
                    mask = cv2.flip(mask, 1)
                if np.random.rand() < 0.3:
                    code = random.choice([-1, 0, 1])
                    img, mask = cv2.flip(img, code), cv2.flip(mask, code)
                return img, mask

            def __getitem__(self, idx):
                img = cv2.imread(self.samples[idx][0])
                mask = cv2.imread(self.samples[idx][1], cv2.IMREAD_GRAYSCALE)
                if self.train:
                    img, mask = self._augment(img, mask)
                return img.transpose(2, 0, 1).astype(np.float32) / 255.0, mask.astype(np.int64)
        """,
        at=[(18, 19), (19, 20), (22, 25), (22, 46)],
        message="instead of a random cv2.flip by hand",
        action="""
        import random

        import cv2
        import numpy as np
        from torch.utils.data import Dataset
        from torchvision.transforms import v2


        # torchvision.transforms.v2 version of the random cv2.flip in LaneDataset._augment.
        # v2 transforms act on CHW tensors and PIL images (numpy arrays pass through unchanged):
        # call train_augment(image) where the image is a tensor, then delete the manual flip.
        # Pass the image and its mask in one call (the mask as tv_tensors.Mask) to flip both alike.
        train_augment = v2.Compose([
            v2.RandomHorizontalFlip(p=0.5),
            v2.RandomApply([v2.RandomChoice([v2.RandomHorizontalFlip(p=1.0), v2.RandomVerticalFlip(p=1.0)])], p=0.3),
        ])


        class LaneDataset(Dataset):
            def __init__(self, samples, train=True):
                self.samples = samples
                self.train = train

            def __len__(self):
                return len(self.samples)

            def _augment(self, img, mask):
                if random.random() > 0.5:
                    img = cv2.flip(img, 1)
                    mask = cv2.flip(mask, 1)
                if np.random.rand() < 0.3:
                    code = random.choice([-1, 0, 1])
                    img, mask = cv2.flip(img, code), cv2.flip(mask, code)
                return img, mask

            def __getitem__(self, idx):
                img = cv2.imread(self.samples[idx][0])
                mask = cv2.imread(self.samples[idx][1], cv2.IMREAD_GRAYSCALE)
                if self.train:
                    img, mask = self._augment(img, mask)
                return img.transpose(2, 0, 1).astype(np.float32) / 255.0, mask.astype(np.int64)
        """,
    ),  # cv2.flip with flipCode 1, and with a flipCode drawn at random, in a dataset's augmentation method
    Valid(
        """
        import random

        import cv2
        import numpy as np
        import torch
        from torch.utils.data import Dataset


        def augment(x):
            \"\"\"Time reversal of a sensor trace.\"\"\"
            if random.random() < 0.5:
                x = np.flipud(x)
            return x


        class TraceDataset(Dataset):
            def __init__(self, traces, images):
                self.traces = traces
                self.images = images

            def __len__(self):
                return len(self.traces)

            def __getitem__(self, idx):
                trace = augment(np.asarray(self.traces[idx], dtype=np.float32))
                img = cv2.flip(cv2.imread(self.images[idx]), 0)  # stored bottom-up
                img = torch.from_numpy(img).permute(2, 0, 1)
                if random.random() < 0.5:
                    img = torch.flip(img, dims=[2])
                return trace, img


        def show_mirrored(camera):
            ok, frame = camera.read()
            while ok:
                cv2.imshow("preview", cv2.flip(frame, 1))
                ok, frame = camera.read()
        """,
        why="a 1-D trace reversed, a deterministic cv2.flip, torch.flip (not numpy), and a mirrored preview",
    ),
    Invalid(
        """
        import random

        import numpy as np
        from torch.utils.data import Dataset


        def random_rot_flip(image, label):
            k = np.random.randint(0, 4)
            image = np.rot90(image, k)
            label = np.rot90(label, k)
            axis = np.random.randint(0, 2)
            image = np.flip(image, axis=axis).copy()
            label = np.flip(label, axis=axis).copy()
            return image, label


        class Synapse(Dataset):
            def __init__(self, slices):
                self.slices = slices

            def __len__(self):
                return len(self.slices)

            def __getitem__(self, idx):
                image, label = self.slices[idx]
                if random.random() > 0.5:
                    image, label = random_rot_flip(image, label)
                return image, label
        """,
        at=[(9, 13), (10, 13), (12, 13), (13, 13)],
    ),  # TransUNet: the label map is turned and flipped with the image (rot90 and a random axis need 2-D)
    Valid(
        """
        import random

        import numpy as np


        def augment_sequence(frames, labels):
            if random.random() < 0.5:
                labels = labels[::-1]
                frames = np.flipud(frames)
            return frames, labels
        """,
        why="labels and frames reversed in time: first-axis reversals of arrays no function treats as an image",
    ),
]
